//! Tests of the hourly window: counting, expiry, the reserve, the header
//! correction and waiting, on a clock the tests move.

use super::*;

const MARGIN: Duration = Duration::from_secs(10);

fn fill(window: &mut Window, priority: Priority, count: u32, now: Instant) {
    for _ in 0..count {
        assert_eq!(window.try_take(priority, now), Ok(()));
    }
}

#[test]
fn reads_stop_at_the_reserve_and_writes_may_use_it() {
    let now = Instant::now();
    let mut window = Window::new(20, 5, MARGIN);

    fill(&mut window, Priority::Read, 15, now);
    let refused = window.try_take(Priority::Read, now);
    fill(&mut window, Priority::Write, 5, now);
    let full = window.try_take(Priority::Write, now);

    assert_eq!(refused, Err(WINDOW + MARGIN));
    assert_eq!(full, Err(WINDOW + MARGIN));
    assert_eq!(window.usage(now).used, 20);
}

#[test]
fn the_window_frees_requests_an_hour_and_a_timeout_after_they_were_sent() {
    let start = Instant::now();
    let mut window = Window::new(3, 0, MARGIN);
    fill(&mut window, Priority::Write, 1, start);
    fill(
        &mut window,
        Priority::Write,
        2,
        start + Duration::from_secs(600),
    );

    let before = window.try_take(Priority::Write, start + WINDOW);
    let after = window.try_take(
        Priority::Write,
        start + WINDOW + MARGIN + Duration::from_secs(1),
    );

    assert_eq!(before, Err(MARGIN));
    assert_eq!(after, Ok(()));
}

#[test]
fn the_wait_names_the_entry_whose_expiry_makes_room() {
    let start = Instant::now();
    let mut window = Window::new(4, 2, MARGIN);
    fill(&mut window, Priority::Write, 2, start);
    fill(
        &mut window,
        Priority::Write,
        2,
        start + Duration::from_secs(100),
    );

    // Four used, two allowed for reads: the third-oldest entry must go.
    let wait = window.try_take(Priority::Read, start + Duration::from_secs(200));

    assert_eq!(wait, Err(WINDOW + MARGIN - Duration::from_secs(100)));
}

#[test]
fn a_header_above_the_own_count_records_the_other_processes_requests() {
    let now = Instant::now();
    let mut window = Window::new(200, 10, MARGIN);
    fill(&mut window, Priority::Read, 2, now);

    window.observe(150, 200, now);

    assert_eq!(window.usage(now).used, 150);
    fill(&mut window, Priority::Read, 40, now);
    assert_eq!(window.try_take(Priority::Read, now), Err(WINDOW));
}

#[test]
fn a_lower_header_drops_others_requests_but_never_the_clients_own() {
    let now = Instant::now();
    let mut window = Window::new(200, 10, MARGIN);
    fill(&mut window, Priority::Read, 5, now);
    window.observe(50, 200, now);

    window.observe(20, 200, now);
    let after_lower = window.usage(now).used;
    window.observe(1, 200, now);
    let after_lowest = window.usage(now).used;

    assert_eq!(after_lower, 20);
    assert_eq!(after_lowest, 5);
}

#[test]
fn a_smaller_server_limit_caps_the_configured_one() {
    let now = Instant::now();
    let mut window = Window::new(200, 10, MARGIN);

    window.observe(0, 12, now);
    fill(&mut window, Priority::Read, 2, now);

    assert_eq!(window.usage(now).limit, 12);
    assert_eq!(window.try_take(Priority::Read, now), Err(WINDOW + MARGIN));
}

#[test]
fn a_server_limit_below_the_reserve_refuses_reads_for_an_hour() {
    let now = Instant::now();
    let mut window = Window::new(200, 10, MARGIN);

    window.observe(0, 5, now);

    assert_eq!(window.try_take(Priority::Read, now), Err(WINDOW));
    assert_eq!(window.try_take(Priority::Write, now), Ok(()));
}

#[test]
fn rate_limit_headers_parse_only_as_used_slash_limit() {
    assert_eq!(parse_rate_limit("36/200"), Some((36, 200)));
    assert_eq!(parse_rate_limit(" 7 / 200 "), Some((7, 200)));
    assert_eq!(parse_rate_limit("36"), None);
    assert_eq!(parse_rate_limit("a/200"), None);
    assert_eq!(parse_rate_limit("-1/200"), None);
    assert_eq!(parse_rate_limit("36/200/1"), None);
}

#[test]
fn counters_of_429s_and_retries_show_in_the_usage() {
    let now = Instant::now();
    let mut window = Window::new(200, 10, MARGIN);

    window.record_rate_limited();
    window.record_retry();
    window.record_retry();

    let usage = window.usage(now);
    assert_eq!(
        (usage.rate_limited, usage.retries, usage.reserve),
        (1, 2, 10)
    );
}

#[tokio::test(start_paused = true)]
async fn acquire_refuses_at_once_when_no_wait_is_allowed() {
    let accounting = Accounting::new(Window::new(1, 0, MARGIN), Duration::ZERO);
    accounting
        .acquire(Priority::Write, accounting.deadline())
        .await
        .expect("first fits");
    let start = Instant::now();

    let err = accounting
        .acquire(Priority::Write, accounting.deadline())
        .await
        .expect_err("an error");

    assert!(
        matches!(err, YnabError::BudgetExhausted { resets_in } if resets_in == WINDOW + MARGIN)
    );
    assert_eq!(Instant::now(), start);
}

#[tokio::test(start_paused = true)]
async fn acquire_waits_for_the_window_when_the_wait_fits_in_max_wait() {
    let accounting = Accounting::new(Window::new(1, 0, MARGIN), Duration::from_secs(7200));
    accounting
        .acquire(Priority::Write, accounting.deadline())
        .await
        .expect("first fits");
    let start = Instant::now();

    accounting
        .acquire(Priority::Write, accounting.deadline())
        .await
        .expect("second waits");

    assert_eq!(Instant::now() - start, WINDOW + MARGIN);
    assert_eq!(accounting.usage().used, 1);
}
