//! The schedule plan: for every running container with a valid schedule
//! label, when it is next due. Refreshed from Docker on every poll and
//! container lifecycle event, keeping each known container's next time.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use runtime::schedule::Schedule;

use crate::docker::short_id;
use crate::inventory::Managed;
use crate::restart::Target;

/// How long the loop sleeps when nothing is scheduled: the poll and
/// events wake it anyway.
const IDLE: Duration = Duration::from_secs(3600);

/// Scheduled containers by id.
#[derive(Debug, Default)]
pub struct Plan {
    entries: HashMap<String, Entry>,
    /// Containers whose malformed schedule label was already reported, so
    /// that the warning is not repeated on every poll.
    reported: HashSet<String>,
}

#[derive(Debug)]
struct Entry {
    name: String,
    schedule: Schedule,
    next: Option<DateTime<Utc>>,
}

impl Plan {
    /// Replaces the plan's containers with `managed`, keeping the next time
    /// of containers already planned with the same schedule.
    pub fn update(&mut self, managed: &[Managed], now: DateTime<Utc>) {
        let mut entries = HashMap::new();
        for container in managed {
            if let Some(Err(error)) = &container.policy.schedule
                && self.reported.insert(container.id.clone())
            {
                tracing::warn!(container.name = %container.name, container.id = %short_id(&container.id), error = %error, "schedule label ignored");
            }
            let Some(schedule) = container.policy.valid_schedule() else {
                continue;
            };
            let entry = match self.entries.remove(&container.id) {
                Some(old) if old.schedule.expression() == schedule.expression() => old,
                _ => planned(container, schedule, now),
            };
            entries.insert(
                container.id.clone(),
                Entry {
                    name: container.name.clone(),
                    ..entry
                },
            );
        }
        self.entries = entries;
    }

    /// How long until the earliest due restart (zero when one is overdue).
    pub fn wait(&self, now: DateTime<Utc>) -> Duration {
        let earliest = self.entries.values().filter_map(|e| e.next).min();
        earliest.map_or(IDLE, |next| (next - now).to_std().unwrap_or(Duration::ZERO))
    }

    /// The containers due at `now`, each moved on to its next time.
    pub fn take_due(&mut self, now: DateTime<Utc>) -> Vec<Target> {
        let mut due = Vec::new();
        for (id, entry) in &mut self.entries {
            if entry.next.is_some_and(|next| next <= now) {
                entry.next = entry.schedule.next_after(now);
                due.push(Target {
                    id: id.clone(),
                    name: entry.name.clone(),
                });
            }
        }
        due.sort_by(|a, b| a.name.cmp(&b.name));
        due
    }

    /// How many containers are planned.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no container is planned.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn planned(container: &Managed, schedule: &Schedule, now: DateTime<Utc>) -> Entry {
    let next = schedule.next_after(now);
    tracing::info!(
        container.name = %container.name,
        container.id = %short_id(&container.id),
        schedule = schedule.expression(),
        next = %next.map_or_else(|| "never".to_owned(), |n| n.with_timezone(&schedule.zone()).to_rfc3339()),
        "container scheduled for restarts"
    );
    Entry {
        name: container.name.clone(),
        schedule: schedule.clone(),
        next,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Amsterdam;

    use super::*;
    use crate::labels::Labels;

    fn managed(id: &str, cron: &str) -> Managed {
        let labels = Labels::new("bunqynab").expect("valid prefix");
        let map = HashMap::from([(labels.schedule_key().to_owned(), cron.to_owned())]);
        Managed {
            id: id.to_owned(),
            name: format!("c-{id}"),
            state: "running".to_owned(),
            policy: labels.policy(&map, Amsterdam),
        }
    }

    #[test]
    fn a_due_container_is_taken_once_and_moved_to_its_next_time() {
        let now = Utc
            .with_ymd_and_hms(2024, 7, 1, 1, 59, 0)
            .single()
            .expect("valid");
        let mut plan = Plan::default();
        plan.update(
            &[managed("a", "0 0 4 * * *"), managed("b", "not cron")],
            now,
        );

        // 04:00 in Amsterdam (summer) is 02:00 UTC.
        assert_eq!(plan.len(), 1);
        assert_eq!(plan.wait(now), Duration::from_secs(60));
        let at_four = Utc
            .with_ymd_and_hms(2024, 7, 1, 2, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(plan.take_due(at_four).len(), 1);
        assert!(plan.take_due(at_four).is_empty());
        assert_eq!(plan.wait(at_four), Duration::from_secs(24 * 3600));
    }

    #[test]
    fn a_refresh_keeps_next_times_and_drops_vanished_containers() {
        let now = Utc
            .with_ymd_and_hms(2024, 7, 1, 1, 59, 0)
            .single()
            .expect("valid");
        let mut plan = Plan::default();
        plan.update(&[managed("a", "0 0 4 * * *")], now);

        let later = now + chrono::Duration::seconds(30);
        plan.update(&[managed("a", "0 0 4 * * *")], later);
        assert_eq!(plan.wait(later), Duration::from_secs(30));

        plan.update(&[], later);
        assert!(plan.is_empty());
    }
}
