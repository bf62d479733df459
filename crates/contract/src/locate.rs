//! Where the official OpenAPI documents are, and reading them. They are not
//! copied into the repository: they live in `shared/specs` beside it, or in
//! the folder `SPECS_DIR` names.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ContractError;

/// The environment variable that overrides where the documents are.
pub const SPECS_DIR_VAR: &str = "SPECS_DIR";

/// `SPECS_DIR` when set and not blank, else `<workspace root>/../shared/specs`.
pub fn specs_dir() -> PathBuf {
    std::env::var_os(SPECS_DIR_VAR)
        .filter(|dir| !dir.to_string_lossy().trim().is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(default_specs_dir)
}

/// `<workspace root>/../shared/specs`, the workspace root being two levels
/// above this crate.
pub fn default_specs_dir() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/contract → workspace root → the folder holding it.
    match crate_dir.ancestors().nth(3) {
        Some(beside_repo) => beside_repo.join("shared").join("specs"),
        None => crate_dir.join("../../../shared/specs"),
    }
}

/// The path of `file` in [`specs_dir`].
///
/// # Errors
/// [`ContractError::SpecsDirMissing`] when the folder does not exist: the
/// contract tests must fail, not skip, without the documents.
pub fn spec_path(file: &str) -> Result<PathBuf, ContractError> {
    spec_path_in(&specs_dir(), file)
}

/// The path of `file` in `dir`.
///
/// # Errors
/// [`ContractError::SpecsDirMissing`] when `dir` does not exist.
pub fn spec_path_in(dir: &Path, file: &str) -> Result<PathBuf, ContractError> {
    if !dir.is_dir() {
        return Err(ContractError::SpecsDirMissing {
            dir: dir.to_owned(),
            file: file.to_owned(),
        });
    }
    Ok(dir.join(file))
}

/// Reads a document: `.json` files as JSON, anything else as YAML.
///
/// # Errors
/// [`ContractError::Unreadable`] or [`ContractError::Unparsable`].
pub fn read_document(path: &Path) -> Result<Value, ContractError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContractError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let unparsable = |reason: String| ContractError::Unparsable {
        path: path.to_owned(),
        reason,
    };
    if path.extension().is_some_and(|ext| ext == "json") {
        serde_json::from_str(&text).map_err(|e| unparsable(e.to_string()))
    } else {
        serde_norway::from_str(&text).map_err(|e| unparsable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_folder_is_shared_specs_beside_the_workspace() {
        let dir = default_specs_dir();

        assert!(dir.ends_with("shared/specs"), "{}", dir.display());
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .expect("a workspace root");
        assert_eq!(dir.parent().and_then(Path::parent), workspace.parent());
    }

    #[test]
    fn a_missing_folder_is_an_error_that_names_the_variable() {
        let err = spec_path_in(Path::new("/nowhere/specs"), "x.json").expect_err("missing");

        let message = err.to_string();

        assert!(message.contains("SPECS_DIR"), "{message}");
        assert!(message.contains("/nowhere/specs"), "{message}");
    }

    #[test]
    fn yaml_and_json_documents_are_both_read() {
        let dir = std::env::temp_dir().join(format!("contract-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (json, yaml) = (dir.join("a.json"), dir.join("a.yaml"));
        std::fs::write(&json, r#"{"openapi": "3.0.0"}"#).expect("write");
        std::fs::write(&yaml, "openapi: 3.1.0\n").expect("write");

        let from_json = read_document(&json).expect("json");
        let from_yaml = read_document(&yaml).expect("yaml");
        std::fs::remove_dir_all(&dir).expect("clean up");

        assert_eq!(from_json["openapi"], "3.0.0");
        assert_eq!(from_yaml["openapi"], "3.1.0");
    }
}
