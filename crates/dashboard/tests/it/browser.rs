//! A small headless-Chromium driver for the browser tests: Debian's
//! `chromium`, talked to over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: commands on its fd 3, answers on its fd 4,
//! each JSON message ended by a NUL byte), so no WebSocket client or
//! browser-automation crate is needed. The shell wires the child's
//! standard input and output to those descriptors.

use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// How long one protocol step may take before the test fails.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// One browser with one page.
pub struct Browser {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: u64,
    session: String,
    events: VecDeque<Value>,
    /// The HTTP status of the last document the page received.
    document_status: Option<u64>,
    _profile: tempdir::Dir,
}

/// A throwaway profile directory, removed on drop.
mod tempdir {
    pub struct Dir(pub std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Installs Debian's chromium when it is missing (the tests run as root).
pub fn ensure_chromium() {
    if which("chromium") {
        return;
    }
    let status = std::process::Command::new("sh")
        .args([
            "-c",
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
        ])
        .status()
        .expect("apt-get runs");
    assert!(
        status.success() && which("chromium"),
        "could not install chromium"
    );
}

fn which(program: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Browser {
    /// Starts headless Chromium and opens a blank 1280×900 page.
    pub async fn launch() -> Self {
        ensure_chromium();
        let profile = std::env::temp_dir().join(format!("dashboard-chromium-{}", uuid_like()));
        std::fs::create_dir_all(&profile).expect("profile dir");
        let script = format!(
            "exec chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
             --no-first-run --no-default-browser-check --remote-debugging-pipe \
             --user-data-dir={} about:blank 3<&0 4>&1 </dev/null >/dev/null 2>/dev/null",
            profile.display()
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium starts");
        let input = child.stdin.take().expect("stdin");
        let output = BufReader::new(child.stdout.take().expect("stdout"));
        let mut browser = Self {
            child,
            input,
            output,
            next_id: 0,
            session: String::new(),
            events: VecDeque::new(),
            document_status: None,
            _profile: tempdir::Dir(profile),
        };
        browser.open_page().await;
        browser
    }

    async fn open_page(&mut self) {
        let target = self
            .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let target_id = target["targetId"].as_str().expect("target id").to_owned();
        let attached = self
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
            )
            .await;
        self.session = attached["sessionId"].as_str().expect("session").to_owned();
        self.page("Page.enable", json!({})).await;
        self.page("Network.enable", json!({})).await;
        self.page(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
    }

    /// Sends every later request with this Basic password (or none).
    pub async fn use_password(&mut self, password: Option<&str>) {
        let headers = match password {
            Some(p) => {
                let token = base64::engine::general_purpose::STANDARD.encode(format!("ops:{p}"));
                json!({ "Authorization": format!("Basic {token}") })
            }
            None => json!({}),
        };
        self.page("Network.setExtraHTTPHeaders", json!({ "headers": headers }))
            .await;
    }

    /// Opens `url`, waits for the page to load and returns the HTTP
    /// status of the document.
    pub async fn goto(&mut self, url: &str) -> u64 {
        self.events.clear();
        self.document_status = None;
        self.page("Page.navigate", json!({ "url": url })).await;
        self.wait_for_load().await;
        self.document_status.expect("a document response")
    }

    /// The page's HTML as the browser sees it.
    pub async fn html(&mut self) -> String {
        self.eval("document.documentElement.outerHTML")
            .await
            .as_str()
            .expect("html")
            .to_owned()
    }

    /// The page's visible text.
    pub async fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Evaluates `expression` in the page and returns its value.
    pub async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .page(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression} threw: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Runs `action` (which submits a form or follows a link) and waits
    /// for the next page to load.
    pub async fn act_and_wait(&mut self, action: &str) {
        self.events.clear();
        self.eval(action).await;
        self.wait_for_load().await;
    }

    /// The URL of the page shown.
    pub async fn url(&mut self) -> String {
        self.eval("location.href")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Saves a PNG of the viewport to `path`.
    pub async fn screenshot(&mut self, path: &Path) {
        let shot = self
            .page("Page.captureScreenshot", json!({ "format": "png" }))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("data"))
            .expect("base64");
        std::fs::write(path, png).expect("write screenshot");
    }

    async fn wait_for_load(&mut self) {
        let session = self.session.clone();
        self.wait_event("Page.loadEventFired", &session).await;
    }

    async fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.call(Some(&session), method, params).await
    }

    /// Sends one command and returns its result, queueing the events that
    /// arrive meanwhile.
    async fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).expect("json");
        bytes.push(0);
        self.input
            .write_all(&bytes)
            .await
            .expect("write to chromium");
        self.input.flush().await.expect("flush");
        loop {
            let answer = self.read().await;
            if answer["id"].as_u64() == Some(id) {
                assert!(answer.get("error").is_none(), "{method} failed: {answer}");
                return answer["result"].clone();
            }
            self.events.push_back(answer);
        }
    }

    async fn wait_event(&mut self, method: &str, session: &str) {
        let matches = |e: &Value| e["method"] == method && e["sessionId"] == session;
        if let Some(at) = self.events.iter().position(matches) {
            self.events.drain(..=at);
            return;
        }
        loop {
            let event = self.read().await;
            if matches(&event) {
                return;
            }
        }
    }

    async fn read(&mut self) -> Value {
        let mut buffer = Vec::new();
        let read = tokio::time::timeout(STEP_TIMEOUT, self.output.read_until(0, &mut buffer))
            .await
            .expect("chromium answers in time")
            .expect("read from chromium");
        assert!(read > 0, "chromium closed its pipe");
        buffer.pop();
        let message: Value = serde_json::from_slice(&buffer).expect("a JSON message");
        if message["method"] == "Network.responseReceived"
            && message["params"]["type"] == "Document"
        {
            self.document_status = message["params"]["response"]["status"].as_u64();
        }
        message
    }

    /// Closes the browser.
    pub async fn close(mut self) {
        // Chromium may close the pipe before it answers: do not wait for one.
        let _ = self
            .input
            .write_all(b"{\"id\":0,\"method\":\"Browser.close\"}\0")
            .await;
        let _ = self.input.flush().await;
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}-{nanos}", std::process::id())
}
