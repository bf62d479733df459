//! The HTML every page shares: escaping, the layout with its navigation
//! and inline style sheet, and small helpers for tables, times and badges.
//! Pages are built as strings; every value that comes from data goes
//! through [`esc`]. No JavaScript anywhere.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The pages in the navigation: path and label.
const NAV: &[(&str, &str)] = &[
    ("/runs", "Runs"),
    ("/queue", "Payment queue"),
    ("/accounts", "Accounts"),
    ("/models", "Models"),
    ("/schedules", "Schedules"),
    ("/actions", "Manual runs"),
];

/// The style sheet, inline so the dashboard needs nothing from elsewhere.
const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.4rem;align-items:center;flex-wrap:wrap}
header strong{font-size:1.05rem;margin-right:1rem}
header a{color:#c9d3e6;text-decoration:none;padding:.25rem .1rem}
header a.active{color:#fff;border-bottom:2px solid #4fb0ff}
main{padding:1rem 1.4rem;max-width:1280px}
h1{font-size:1.4rem;margin:.4rem 0 1rem}
h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.88rem;margin-bottom:.5rem}
th,td{border-bottom:1px solid #e2e5ea;padding:.35rem .55rem;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.78rem;font-weight:600}
.ok{background:#dcf5e3;color:#17692f}.bad{background:#fde2e1;color:#9b1c1c}
.wait{background:#fff3d1;color:#7a5800}.muted{color:#6b7383}
.error{color:#9b1c1c;white-space:pre-wrap;word-break:break-word}
form.inline{display:inline}
form.card{background:#fff;border:1px solid #e2e5ea;padding:.8rem 1rem;margin-bottom:1rem;max-width:640px}
form.card label{display:block;margin:.3rem 0}
button{background:#2563eb;color:#fff;border:0;border-radius:.3rem;padding:.3rem .8rem;cursor:pointer}
.summary{display:flex;gap:1rem;flex-wrap:wrap;margin-bottom:.6rem}
.summary div{background:#fff;border:1px solid #e2e5ea;padding:.4rem .8rem}
";

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page: the layout around `body` (already HTML), with `active`
/// the path of the current navigation entry.
pub fn page(title: &str, active: &str, body: &str) -> String {
    let mut nav = String::new();
    for (path, label) in NAV {
        let class = if *path == active {
            " class=\"active\""
        } else {
            ""
        };
        let _ = write!(nav, "<a href=\"{path}\"{class}>{label}</a>");
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · bunq-ynab-connect</title><style>{STYLE}</style></head>\
         <body><header><strong>bunq → YNAB</strong>{nav}</header>\
         <main><h1>{title}</h1>{body}</main></body></html>",
        title = esc(title)
    )
}

/// A table with `headers` and rows of cells that are already HTML.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut html = String::from("<table><thead><tr>");
    for header in headers {
        let _ = write!(html, "<th>{}</th>", esc(header));
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{cell}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// A paragraph saying there is nothing to show.
pub fn empty(text: &str) -> String {
    format!("<p class=\"muted\">{}</p>", esc(text))
}

/// A local time, to the second.
pub fn local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A coloured label: `class` is `ok`, `bad` or `wait`.
pub fn badge(text: &str, class: &str) -> String {
    format!("<span class=\"badge {class}\">{}</span>", esc(text))
}

/// A duration in words: `850 ms`, `12.4 s`, `3 min 5 s`.
pub fn duration(milliseconds: i64) -> String {
    match milliseconds {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(token)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_data_is_escaped() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn durations_read_in_the_unit_that_fits() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(12_400), "12.4 s");
        assert_eq!(duration(185_000), "3 min 5 s");
    }
}
