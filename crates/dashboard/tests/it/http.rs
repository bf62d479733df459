//! The password and the CSRF guard over plain HTTP, and the open
//! `/health` and `/metrics`.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn pages_answer_401_without_the_password_and_200_with_it() {
    let app = TestApp::spawn().await;

    let none = app.http.get(app.url("/runs")).send().await.expect("get");
    let wrong = app
        .http
        .get(app.url("/queue"))
        .basic_auth("ops", Some("not-the-password"))
        .send()
        .await
        .expect("get");
    let right = app
        .http
        .get(app.url("/queue"))
        .basic_auth("anyone", Some(PASSWORD))
        .send()
        .await
        .expect("get");

    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert!(none.headers().contains_key("www-authenticate"));
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(right.status(), StatusCode::OK);
    app.db.drop_now().await;
}

#[tokio::test]
async fn a_form_post_without_its_token_or_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let page = app
        .http
        .get(app.url("/actions"))
        .basic_auth("ops", Some(PASSWORD))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a token in the form")
        .to_owned();

    let no_token = app
        .http
        .post(app.url("/actions/drain"))
        .basic_auth("ops", Some(PASSWORD))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .expect("post");
    let cross_site = app
        .http
        .post(app.url("/actions/drain"))
        .basic_auth("ops", Some(PASSWORD))
        .header("Origin", "https://evil.example")
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("post");
    let unauthenticated = app
        .http
        .post(app.url("/actions/drain"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("post");

    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let manual_runs = app.store.recent_runs("sync", 10).await.expect("runs");
    assert!(
        manual_runs
            .iter()
            .all(|r| r.trigger != domain::run::Trigger::Manual),
        "a refused form started a run"
    );
    app.db.drop_now().await;
}

#[tokio::test]
async fn health_and_metrics_are_open_and_metrics_report_the_queue_depth() {
    let app = TestApp::spawn().await;

    let health = app.http.get(app.url("/health")).send().await.expect("get");
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");

    assert_eq!(health.status(), StatusCode::OK);
    let synced = app.store.queue_counts().await.expect("counts")["synced"];
    assert!(synced > 0);
    assert!(
        metrics.contains(&format!(
            "bunqynab_queue_entries{{state=\"synced\"}} {synced}"
        )),
        "{metrics}"
    );
    app.db.drop_now().await;
}
