//! Checking an answer: the operation must document its status, and the
//! body must match the schema the document gives for it (through bunq's
//! envelope for the bunq dialect, see [`crate::bunq`]).

use serde_json::Value;

use crate::error::Problems;
use crate::{ContractError, Dialect, Spec, bunq};

/// Which schema an error answer was checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorSchema {
    /// The operation documents this status (or its class, or `default`).
    Documented,
    /// The operation does not list the status; the body was checked against
    /// the error schema the whole document shares (bunq's `GenericError`,
    /// YNAB's `ErrorResponse`).
    Shared,
}

impl Spec {
    /// Checks the answer `status` with `body` (`null` for an empty body) to
    /// `method` on the concrete `path`.
    ///
    /// # Errors
    /// [`ContractError::UnknownPath`], [`ContractError::UnknownMethod`],
    /// [`ContractError::UndocumentedStatus`], or
    /// [`ContractError::Violations`] listing every problem of the body.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), ContractError> {
        let operation = self.operation(method, path)?;
        let schema = operation.response_schema(status)?;
        let what = format!("the {status} answer to {}", operation.name());
        let mut problems = Problems::default();
        self.check_answer(method, status, schema.as_deref(), body, &mut problems)?;
        problems.finish(&self.name, what)
    }

    /// Checks an error answer (status 400 and up). When the operation does
    /// not list the status (YNAB 1.85 lists no 401 or 429, bunq lists only
    /// 400), the body is checked against the document's shared error
    /// schema instead, and the result says so.
    ///
    /// # Errors
    /// As [`Spec::validate_response`]; [`ContractError::UndocumentedStatus`]
    /// for a status below 400 or a document without a shared error schema.
    pub fn validate_error_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<ErrorSchema, ContractError> {
        let operation = self.operation(method, path)?;
        let undocumented = || ContractError::UndocumentedStatus {
            spec: self.name.clone(),
            operation: operation.name(),
            status,
        };
        if status < 400 {
            return Err(undocumented());
        }
        let (schema, used) = match operation.response_schema(status) {
            Ok(schema) => (schema, ErrorSchema::Documented),
            Err(_) => {
                let shared = self.general_error.clone().ok_or_else(undocumented)?;
                (Some(shared), ErrorSchema::Shared)
            }
        };
        let what = format!("the {status} answer to {}", operation.name());
        let mut problems = Problems::default();
        self.check_answer(method, status, schema.as_deref(), body, &mut problems)?;
        problems.finish(&self.name, what).map(|()| used)
    }

    fn check_answer(
        &self,
        method: &str,
        status: u16,
        schema: Option<&str>,
        body: &Value,
        problems: &mut Problems,
    ) -> Result<(), ContractError> {
        let Some(schema) = schema else {
            if !body.is_null() {
                problems.push("(body): a body where the document describes none");
            }
            return Ok(());
        };
        match self.dialect {
            Dialect::Plain => problems.extend(self.check(schema, body, "")?),
            Dialect::BunqEnvelope if status >= 400 => {
                bunq::check_error(body, problems);
                problems.extend(self.check(schema, body, "")?);
            }
            Dialect::BunqEnvelope => bunq::check_success(self, method, schema, body, problems)?,
        }
        Ok(())
    }
}
