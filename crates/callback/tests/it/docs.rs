//! `/docs` renders in headless Chromium, with the POST endpoint visible,
//! while every host name but the service's address fails to resolve: the
//! Swagger UI assets come from the binary, not a CDN.

use std::process::Command;

use crate::helpers::TestApp;

/// The Chromium binary, installed with apt-get when missing (tests run as
/// root on Debian).
fn chromium() -> String {
    let found = |name: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    if let Some(path) = found("chromium").or_else(|| found("chromium-browser")) {
        return path;
    }
    let install = "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
                   apt-get install -y -qq chromium >/dev/null";
    let status = Command::new("sh").args(["-c", install]).status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "could not install chromium"
    );
    found("chromium").expect("chromium installed")
}

#[tokio::test]
async fn the_docs_page_renders_offline_with_the_post_endpoint_visible() {
    let app = TestApp::spawn().await;
    let service = app.service().await;
    let browser = chromium();
    let url = service.at("/docs/");

    let output = tokio::task::spawn_blocking(move || {
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=10000",
                "--dump-dom",
                &url,
            ])
            .output()
    })
    .await
    .expect("join")
    .expect("chromium runs");

    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("swagger-ui"), "{dom}");
    assert!(
        dom.contains("opblock-post"),
        "no POST operation rendered: {dom}"
    );
    assert!(dom.contains("/payment"), "{dom}");
    service.stop().await.expect("clean stop");
}
