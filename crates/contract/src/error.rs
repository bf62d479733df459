//! What can go wrong: the OpenAPI documents cannot be found or used, a
//! request or answer names something the document does not have, or a body
//! breaks the document's schemas.

use std::path::PathBuf;

/// Why a spec could not be loaded, or why a request or answer does not
/// keep to it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// The folder of OpenAPI documents is not there.
    #[error(
        "the OpenAPI documents are not in {dir}: set SPECS_DIR to the folder that holds \
         {file} (CI expects shared/specs beside the repository)"
    )]
    SpecsDirMissing {
        /// The folder looked in.
        dir: PathBuf,
        /// The document asked for.
        file: String,
    },
    /// The document exists but cannot be read.
    #[error("could not read the OpenAPI document {path}: {source}")]
    Unreadable {
        /// The document's path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The document is neither JSON nor YAML.
    #[error("the OpenAPI document {path} is not valid JSON or YAML: {reason}")]
    Unparsable {
        /// The document's path.
        path: PathBuf,
        /// The parser's complaint.
        reason: String,
    },
    /// The document parses but cannot be used (no servers, a schema that
    /// does not compile, a `$ref` that points nowhere).
    #[error("the OpenAPI document {spec} cannot be used: {reason}")]
    BadSpec {
        /// The document's name.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No path template of the document matches the path.
    #[error("{spec} has no path matching {method} {path}")]
    UnknownPath {
        /// The document's name.
        spec: String,
        /// The request method.
        method: String,
        /// The concrete path asked for.
        path: String,
    },
    /// The path exists but not with this method.
    #[error("{spec} documents no {method} on {template} (asked for {path})")]
    UnknownMethod {
        /// The document's name.
        spec: String,
        /// The request method.
        method: String,
        /// The matching template.
        template: String,
        /// The concrete path asked for.
        path: String,
    },
    /// The operation lists no answer for this status, and no `default`.
    #[error("{spec} documents no status {status} for {operation}")]
    UndocumentedStatus {
        /// The document's name.
        spec: String,
        /// `METHOD /template`.
        operation: String,
        /// The status asked for.
        status: u16,
    },
    /// The request or answer breaks the document.
    #[error("{what} breaks {spec}:\n  - {}", problems.join("\n  - "))]
    Violations {
        /// The document's name.
        spec: String,
        /// What was checked, e.g. `the 200 answer of GET /user/{itemId}`.
        what: String,
        /// One line per problem, each naming where it is.
        problems: Vec<String>,
    },
}

impl ContractError {
    /// The problems of a [`ContractError::Violations`]; empty otherwise.
    pub fn problems(&self) -> &[String] {
        match self {
            Self::Violations { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// Collects problems while checking one request or answer.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<String>);

impl Problems {
    /// Notes one problem.
    pub(crate) fn push(&mut self, problem: impl Into<String>) {
        self.0.push(problem.into());
    }

    /// Notes several.
    pub(crate) fn extend(&mut self, problems: impl IntoIterator<Item = String>) {
        self.0.extend(problems);
    }

    /// `Ok` when nothing was noted, else the violations of `what`.
    pub(crate) fn finish(self, spec: &str, what: String) -> Result<(), ContractError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ContractError::Violations {
                spec: spec.to_owned(),
                what,
                problems: self.0,
            })
        }
    }
}
