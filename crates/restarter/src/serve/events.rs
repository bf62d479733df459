//! The Docker event feed, reduced to what the loop acts on, and
//! resubscribed with backoff when the engine drops it.

use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
use bollard::models::EventMessage;
use bollard::query_parameters::EventsOptions;
use futures::StreamExt;
use futures::stream::BoxStream;
use runtime::backoff::Backoff;
use tokio::time::Instant;

use crate::restart::Target;

/// What one event means to the restarter.
#[derive(Debug)]
pub enum EventAction {
    /// Docker reported a container unhealthy; its labels come with it.
    Unhealthy {
        /// The container.
        target: Target,
        /// Its labels (Docker puts them in the event's attributes).
        labels: HashMap<String, String>,
    },
    /// A container started, stopped, went away or was renamed: the
    /// schedule plan may have changed.
    Lifecycle,
    /// The feed was (re)connected after a gap: events may have been
    /// missed, so look again.
    Resubscribed,
    /// Nothing to do.
    Nothing,
}

/// Container events from the engine.
pub struct EventFeed {
    docker: Docker,
    stream: Option<BoxStream<'static, Result<EventMessage, bollard::errors::Error>>>,
    /// Consecutive broken streams, for the backoff.
    failures: u32,
    /// When the next subscription may be made, after a failure. Kept as a
    /// deadline so that `next` stays cancel-safe inside `select!`.
    retry_at: Option<Instant>,
    backoff: Backoff,
}

impl EventFeed {
    /// A feed that subscribes on first use.
    pub fn new(docker: Docker) -> Self {
        let backoff = Backoff {
            max_attempts: u32::MAX,
            base: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        };
        Self {
            docker,
            stream: None,
            failures: 0,
            retry_at: None,
            backoff,
        }
    }

    /// The next event worth a look. Cancel-safe.
    pub async fn next(&mut self) -> EventAction {
        let Some(stream) = self.stream.as_mut() else {
            if let Some(at) = self.retry_at {
                tokio::time::sleep_until(at).await;
            }
            self.retry_at = None;
            self.stream = Some(subscribe(&self.docker));
            return if self.failures > 0 {
                EventAction::Resubscribed
            } else {
                EventAction::Nothing
            };
        };
        match stream.next().await {
            Some(Ok(message)) => {
                self.failures = 0;
                classify(message)
            }
            Some(Err(error)) => self.broken(&error.to_string()),
            None => self.broken("the engine closed the event stream"),
        }
    }

    fn broken(&mut self, reason: &str) -> EventAction {
        self.failures = self.failures.saturating_add(1);
        let delay = self.backoff.delay(self.failures);
        tracing::warn!(
            error = reason,
            retry_in_ms = delay.as_millis(),
            "docker event stream broke; polling covers the gap"
        );
        self.stream = None;
        self.retry_at = Some(Instant::now() + delay);
        EventAction::Nothing
    }
}

fn subscribe(docker: &Docker) -> BoxStream<'static, Result<EventMessage, bollard::errors::Error>> {
    let events = ["start", "die", "destroy", "rename", "health_status"];
    let filters = HashMap::from([
        ("type".to_owned(), vec!["container".to_owned()]),
        (
            "event".to_owned(),
            events.iter().map(|e| (*e).to_owned()).collect(),
        ),
    ]);
    docker
        .events(Some(EventsOptions {
            filters: Some(filters),
            ..Default::default()
        }))
        .boxed()
}

/// Reduces an event to an action. Health events read `health_status:
/// unhealthy` (Docker matches the `health_status` filter by prefix).
fn classify(message: EventMessage) -> EventAction {
    let action = message.action.unwrap_or_default();
    let actor = message.actor.unwrap_or_default();
    if action.starts_with("health_status") {
        if !action.trim_end().ends_with("unhealthy") {
            return EventAction::Nothing;
        }
        let Some(id) = actor.id else {
            return EventAction::Nothing;
        };
        let labels = actor.attributes.unwrap_or_default();
        let name = labels.get("name").cloned().unwrap_or_else(|| id.clone());
        return EventAction::Unhealthy {
            target: Target { id, name },
            labels,
        };
    }
    match action.as_str() {
        "start" | "die" | "destroy" | "rename" => EventAction::Lifecycle,
        _ => EventAction::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use bollard::models::EventActor;

    use super::*;

    fn event(action: &str, attributes: &[(&str, &str)]) -> EventMessage {
        let attributes = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        EventMessage {
            action: Some(action.to_owned()),
            actor: Some(EventActor {
                id: Some("c0ffee".to_owned()),
                attributes: Some(attributes),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn an_unhealthy_event_carries_the_container_and_its_labels() {
        let message = event(
            "health_status: unhealthy",
            &[("name", "model-server"), ("bunqynab.autoheal", "true")],
        );

        let EventAction::Unhealthy { target, labels } = classify(message) else {
            panic!("expected an unhealthy action");
        };

        assert_eq!(
            target,
            Target {
                id: "c0ffee".to_owned(),
                name: "model-server".to_owned()
            }
        );
        assert_eq!(
            labels.get("bunqynab.autoheal").map(String::as_str),
            Some("true")
        );
    }

    #[test]
    fn healthy_and_unrelated_events_ask_for_nothing() {
        assert!(matches!(
            classify(event("health_status: healthy", &[])),
            EventAction::Nothing
        ));
        assert!(matches!(
            classify(event("exec_start: sh", &[])),
            EventAction::Nothing
        ));
        assert!(matches!(
            classify(event("die", &[])),
            EventAction::Lifecycle
        ));
    }
}
