//! Formatting capture times for the Time column and the detail header: seconds since the
//! first packet, since the packet before, or the time of day in UTC or the person's zone.
//!
//! Owns those strings. The browser's zone offset is the only thing it asks the browser for
//! (`local_offset_minutes`); everything else is plain arithmetic, tested natively.

use crate::state::TimeMode;
use tracelens::capture::Timestamp;

/// `2024-01-31 12:34:56.123456789`, shifted by `offset_minutes` east of UTC.
pub fn clock(secs: i64, nanos: u32, offset_minutes: i32) -> String {
    let secs = secs.saturating_add(i64::from(offset_minutes) * 60);
    Timestamp { secs, nanos }.format_utc()
}

/// `UTC`, `UTC+01:00`, `UTC-05:30`.
pub fn zone_name(offset_minutes: i32) -> String {
    if offset_minutes == 0 {
        return "UTC".to_string();
    }
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Minutes east of UTC of the browser's zone at that moment (daylight saving included); 0
/// outside a browser.
pub fn local_offset_minutes(secs: i64) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
        // getTimezoneOffset is UTC minus local, in minutes.
        -(d.get_timezone_offset() as i32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = secs;
        0
    }
}

/// The Time column's text for a row.
pub fn cell(mode: TimeMode, local: bool, rel: &str, delta: &str, secs: i64, nanos: u32) -> String {
    match mode {
        TimeMode::Relative => rel.to_string(),
        TimeMode::Delta => delta.to_string(),
        TimeMode::Absolute if local => clock(secs, nanos, local_offset_minutes(secs)),
        TimeMode::Absolute => clock(secs, nanos, 0),
    }
}

/// The Time column's heading.
pub fn heading(mode: TimeMode, local: bool) -> &'static str {
    match mode {
        TimeMode::Relative => "Time (s)",
        TimeMode::Delta => "Δ time (s)",
        TimeMode::Absolute if local => "Time (local)",
        TimeMode::Absolute => "Time (UTC)",
    }
}

/// A moment written out in full for the detail header: UTC, and the local time with its zone
/// when asked for.
pub fn full(secs: i64, nanos: u32, local: bool) -> String {
    let utc = format!("{} UTC", clock(secs, nanos, 0));
    if !local {
        return utc;
    }
    let off = local_offset_minutes(secs);
    format!("{} {} ({utc})", clock(secs, nanos, off), zone_name(off))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_shift_by_the_zone() {
        assert_eq!(clock(10, 5, 0), "1970-01-01 00:00:10.000000005");
        assert_eq!(clock(10, 0, 90), "1970-01-01 01:30:10.000000000");
        assert_eq!(clock(0, 0, -60), "1969-12-31 23:00:00.000000000");
        assert_eq!(zone_name(0), "UTC");
        assert_eq!(zone_name(330), "UTC+05:30");
        assert_eq!(zone_name(-300), "UTC-05:00");
    }

    #[test]
    fn cells_follow_the_mode() {
        assert_eq!(cell(TimeMode::Relative, false, "1.5", "0.5", 0, 0), "1.5");
        assert_eq!(cell(TimeMode::Delta, true, "1.5", "0.5", 0, 0), "0.5");
        assert_eq!(
            cell(TimeMode::Absolute, false, "", "", 86_400, 0),
            "1970-01-02 00:00:00.000000000"
        );
        assert_eq!(heading(TimeMode::Absolute, true), "Time (local)");
    }
}
