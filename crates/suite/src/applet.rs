//! The applets of the multi-call binary: their names (the symbolic links
//! in the image) and which name means which service.

use std::fmt;

/// One thing the binary can be: a service or the healthcheck.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Applet {
    /// `ingest`: bunq and YNAB data into MongoDB.
    Ingest,
    /// `sync-worker`: the payment queue into YNAB.
    SyncWorker,
    /// `trainer`: trains and promotes the category models.
    Trainer,
    /// `restarter`: restarts labelled containers.
    Restarter,
    /// `model-server`: serves the category models (Open Inference Protocol).
    ModelServer,
    /// `dashboard`: the operations dashboard.
    Dashboard,
    /// `callback`: bunq's payment callbacks.
    Callback,
    /// `sandbox`: plays bunq and YNAB (development and tests).
    Sandbox,
    /// `healthcheck`: probes a URL or MongoDB and exits 0 or 1.
    Healthcheck,
}

/// The names the image links to the binary, one per line: the same list
/// the image scripts read (`crates/suite/applets`).
pub const APPLETS_FILE: &str = include_str!("../applets");

impl Applet {
    /// Every applet, in the order of [`APPLETS_FILE`].
    pub const ALL: [Applet; 9] = [
        Applet::Ingest,
        Applet::SyncWorker,
        Applet::Trainer,
        Applet::Restarter,
        Applet::ModelServer,
        Applet::Dashboard,
        Applet::Callback,
        Applet::Sandbox,
        Applet::Healthcheck,
    ];

    /// The applet's name: its link name and first argument.
    pub fn name(self) -> &'static str {
        match self {
            Applet::Ingest => "ingest",
            Applet::SyncWorker => "sync-worker",
            Applet::Trainer => "trainer",
            Applet::Restarter => "restarter",
            Applet::ModelServer => "model-server",
            Applet::Dashboard => "dashboard",
            Applet::Callback => "callback",
            Applet::Sandbox => "sandbox",
            Applet::Healthcheck => "healthcheck",
        }
    }

    /// The applet called `name`, if any.
    pub fn from_name(name: &str) -> Option<Applet> {
        Applet::ALL.into_iter().find(|applet| applet.name() == name)
    }
}

impl fmt::Display for Applet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applets_file_lists_exactly_the_applets_in_order() {
        let listed: Vec<&str> = APPLETS_FILE.lines().filter(|l| !l.is_empty()).collect();
        let known: Vec<&str> = Applet::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(listed, known);
    }

    #[test]
    fn every_name_maps_back_to_its_applet() {
        for applet in Applet::ALL {
            assert_eq!(Applet::from_name(applet.name()), Some(applet));
        }
        assert_eq!(Applet::from_name("bunq-ynab-connect"), None);
        assert_eq!(Applet::from_name("Ingest"), None);
    }
}
