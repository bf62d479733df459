//! Connecting to the Docker engine, with one clear line when its socket is
//! missing or forbidden, and the errors of the calls made on it.

use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use bollard::{API_DEFAULT_VERSION, Docker};

use crate::config::{DockerConfig, DockerHost};

/// Why the engine could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// No socket file at the configured path.
    #[error(
        "the Docker socket {} does not exist: mount it into the container \
         (-v /var/run/docker.sock:/var/run/docker.sock) or point DOCKER_HOST at the engine",
        path.display()
    )]
    SocketMissing {
        /// The socket path that was tried.
        path: PathBuf,
    },
    /// The socket exists but this user may not connect to it.
    #[error(
        "permission denied on the Docker socket {} (owner {uid}:{gid}, mode {mode:o}): \
         run the restarter with group {gid} (compose: group_add: [\"{gid}\"])",
        path.display()
    )]
    SocketForbidden {
        /// The socket path.
        path: PathBuf,
        /// The socket's owner.
        uid: u32,
        /// The socket's group, the one to add.
        gid: u32,
        /// The socket's permission bits.
        mode: u32,
    },
    /// The engine did not answer, or answered with an error.
    #[error("the Docker engine at {host} did not answer: {source}")]
    Unreachable {
        /// The configured address.
        host: String,
        /// What went wrong.
        #[source]
        source: bollard::errors::Error,
    },
    /// Listing containers failed.
    #[error("docker could not list containers: {source}")]
    List {
        /// What the engine said.
        #[source]
        source: bollard::errors::Error,
    },
    /// A call on one container failed.
    #[error("docker {operation} of container {container} failed: {source}")]
    Call {
        /// What was attempted (`restart`, `inspect`, ...).
        operation: &'static str,
        /// The container's name or id.
        container: String,
        /// What the engine said.
        #[source]
        source: bollard::errors::Error,
    },
}

/// Connects to the engine, checks that it answers, and settles on the
/// API version both sides speak (an older engine refuses newer versions).
///
/// # Errors
/// [`DockerError::SocketMissing`], [`DockerError::SocketForbidden`] or
/// [`DockerError::Unreachable`].
pub async fn connect(config: &DockerConfig) -> Result<Docker, DockerError> {
    let timeout_secs = config.timeout.as_secs().max(1);
    let unreachable = |source| DockerError::Unreachable {
        host: config.host.to_string(),
        source,
    };
    let docker = match &config.host {
        DockerHost::Unix(path) => {
            probe_socket(path).await?;
            let path = path.to_string_lossy();
            Docker::connect_with_unix(&path, timeout_secs, API_DEFAULT_VERSION)
                .map_err(unreachable)?
        }
        DockerHost::Tcp(address) => {
            Docker::connect_with_http(address, timeout_secs, API_DEFAULT_VERSION)
                .map_err(unreachable)?
        }
    };
    let docker = docker.negotiate_version().await.map_err(unreachable)?;
    tracing::debug!(docker.host = %config.host, "connected to the Docker engine");
    Ok(docker)
}

/// Opens the socket once, so that a missing file or a permission problem
/// is named as such rather than as a generic transport error.
async fn probe_socket(path: &Path) -> Result<(), DockerError> {
    match tokio::net::UnixStream::connect(path).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(DockerError::SocketMissing {
            path: path.to_owned(),
        }),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            let metadata = std::fs::metadata(path).ok();
            Err(DockerError::SocketForbidden {
                path: path.to_owned(),
                uid: metadata.as_ref().map_or(0, MetadataExt::uid),
                gid: metadata.as_ref().map_or(0, MetadataExt::gid),
                mode: metadata.map_or(0, |m| m.permissions().mode() & 0o777),
            })
        }
        // Anything else (a stale socket nobody listens on, ...) surfaces
        // from the version request with the engine's address.
        Err(_) => Ok(()),
    }
}

/// The name Docker shows for a container (`/name` without the slash).
pub fn display_name(names: Option<&Vec<String>>, id: &str) -> String {
    names
        .and_then(|names| names.first())
        .map(|name| name.trim_start_matches('/').to_owned())
        .unwrap_or_else(|| short_id(id).to_owned())
}

/// The first twelve characters of an id, as `docker ps` shows it.
pub fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_leading_slash_and_fall_back_to_the_short_id() {
        let names = vec!["/bunqynab_model_server".to_owned()];
        assert_eq!(display_name(Some(&names), "abc"), "bunqynab_model_server");
        assert_eq!(display_name(None, "0123456789abcdef"), "0123456789ab");
    }

    #[tokio::test]
    async fn a_missing_socket_is_named_in_one_clear_line() {
        let config = DockerConfig {
            host: DockerHost::Unix(PathBuf::from("/nonexistent/docker.sock")),
            ..DockerConfig::local()
        };

        let error = connect(&config).await.expect_err("no socket there");

        let message = error.to_string();
        assert!(matches!(error, DockerError::SocketMissing { .. }));
        assert!(
            message.contains("/nonexistent/docker.sock does not exist"),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }
}
