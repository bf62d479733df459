//! `restarter serve`: one loop that waits for whichever comes first — the
//! next scheduled restart, a Docker event, the poll tick, or shutdown.
//! Events make health restarts immediate; the poll catches what a broken
//! event stream missed and picks up newly labelled containers.

mod events;
mod plan;

use std::future::Future;

use chrono::Utc;
use domain::run::Trigger;

use crate::config::RestarterConfig;
use crate::docker::short_id;
use crate::inventory::{self, Scope};
use crate::restart::{Restarter, Target};
use crate::runs::RunLog;
use events::{EventAction, EventFeed};
use plan::Plan;

/// Runs until `shutdown` resolves.
///
/// # Errors
/// When `MONGO_URI` is not set or the Docker engine cannot be reached at
/// start (one clear line). Later Docker and MongoDB failures are logged
/// and ridden out.
pub async fn serve(
    config: RestarterConfig,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let mongo = config.require_mongo()?.clone();
    let docker = crate::docker::connect(&config.docker).await?;
    let runs = RunLog::new(Some(mongo)).with_observer(crate::ops::observer()?);
    let restarter = Restarter::new(
        docker.clone(),
        runs,
        config.min_interval,
        config.stop_timeout,
    );
    tracing::info!(
        docker.host = %config.docker.host,
        schedule_label = config.labels.schedule_key(),
        autoheal_label = config.labels.autoheal_key(),
        timezone = %config.timezone,
        poll_secs = config.poll_interval.as_secs(),
        min_interval_secs = config.min_interval.as_secs(),
        "restarter started"
    );

    let mut state = Loop {
        config,
        restarter,
        plan: Plan::default(),
        feed: EventFeed::new(docker),
    };
    state.run(shutdown).await;
    tracing::info!("restarter stopped");
    Ok(())
}

/// The loop's state.
struct Loop {
    config: RestarterConfig,
    restarter: Restarter,
    plan: Plan,
    feed: EventFeed,
}

impl Loop {
    async fn run(&mut self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        // The first tick is immediate: it builds the plan and catches
        // containers that were already unhealthy.
        let mut poll = tokio::time::interval(self.config.poll_interval);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let wait = self.plan.wait(Utc::now());
            tokio::select! {
                () = &mut shutdown => return,
                _ = poll.tick() => self.sweep().await,
                () = tokio::time::sleep(wait) => self.fire_due().await,
                action = self.feed.next() => self.on_event(action).await,
            }
        }
    }

    /// The poll: refresh the plan, restart unhealthy autoheal containers
    /// whose event was missed (the debounce absorbs double triggers).
    async fn sweep(&mut self) {
        self.refresh_plan().await;
        let unhealthy = inventory::unhealthy(self.restarter.docker(), &self.config.labels).await;
        match unhealthy {
            Ok(unhealthy) => {
                for (id, name) in unhealthy {
                    tracing::debug!(container.name = %name, container.id = %short_id(&id), "poll found the container unhealthy");
                    self.restarter
                        .restart(&Target { id, name }, Trigger::Health)
                        .await;
                }
            }
            Err(error) => tracing::warn!(error = %error, "could not poll for unhealthy containers"),
        }
    }

    async fn refresh_plan(&mut self) {
        let (labels, zone) = (&self.config.labels, self.config.timezone);
        match inventory::managed(self.restarter.docker(), labels, zone, Scope::Running).await {
            Ok(managed) => self.plan.update(&managed, Utc::now()),
            Err(error) => tracing::warn!(error = %error, "could not list labelled containers"),
        }
    }

    /// Restarts what is due. The plan is refreshed first so that a
    /// container stopped since the last look is not started again.
    async fn fire_due(&mut self) {
        self.refresh_plan().await;
        for target in self.plan.take_due(Utc::now()) {
            self.restarter.restart(&target, Trigger::Schedule).await;
        }
    }

    async fn on_event(&mut self, action: EventAction) {
        match action {
            EventAction::Unhealthy { target, labels } => {
                if self
                    .config
                    .labels
                    .policy(&labels, self.config.timezone)
                    .autoheal
                {
                    tracing::debug!(container.name = %target.name, container.id = %short_id(&target.id), "docker reported the container unhealthy");
                    self.restarter.restart(&target, Trigger::Health).await;
                }
            }
            EventAction::Lifecycle => self.refresh_plan().await,
            EventAction::Resubscribed => self.sweep().await,
            EventAction::Nothing => {}
        }
    }
}
