//! Packet timestamps: building them from a file's tick counts and printing them as UTC text.
//!
//! Owns the calendar arithmetic (no date crate: the days-to-civil algorithm from Howard Hinnant's
//! "chrono-Compatible Low-Level Date Algorithms"). Must never panic or overflow on hostile tick
//! counts, resolutions or offsets: every step is checked or saturating.

use super::Timestamp;

const NANOS_PER_SEC: u64 = 1_000_000_000;

impl Timestamp {
    /// A timestamp from `ticks` counted at `units_per_sec` since 1970, shifted by `offset_secs`
    /// (pcapng's `if_tsoffset`). A zero resolution is treated as microseconds, the format default.
    pub fn from_ticks(ticks: u64, units_per_sec: u64, offset_secs: i64) -> Timestamp {
        let units = if units_per_sec == 0 {
            1_000_000
        } else {
            units_per_sec
        };
        let whole = ticks / units;
        let frac = ticks % units;
        // u128 because frac * 1e9 overflows u64 for resolutions finer than about 18 digits.
        let nanos = (u128::from(frac) * u128::from(NANOS_PER_SEC)) / u128::from(units);
        let secs = i64::try_from(whole)
            .unwrap_or(i64::MAX)
            .saturating_add(offset_secs);
        Timestamp {
            secs,
            nanos: u32::try_from(nanos).unwrap_or(0),
        }
    }

    /// A timestamp from a seconds field and a fraction counted in `frac_per_sec` units. Classic
    /// pcap writers sometimes store a fraction of a whole second or more; it is carried into the
    /// seconds rather than producing a nanosecond field of a billion or more.
    pub fn from_secs_frac(secs: i64, frac: u64, frac_per_sec: u64) -> Timestamp {
        let per = frac_per_sec.max(1);
        let carry = i64::try_from(frac / per).unwrap_or(i64::MAX);
        let rest = frac % per;
        let nanos = (u128::from(rest) * u128::from(NANOS_PER_SEC)) / u128::from(per);
        Timestamp {
            secs: secs.saturating_add(carry),
            nanos: u32::try_from(nanos).unwrap_or(0),
        }
    }

    /// Seconds since 1970 as a float (loses sub-microsecond precision for present-day dates).
    pub fn as_f64_secs(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// `2024-01-31 12:34:56.123456789` in UTC, with all nine fraction digits.
    pub fn format_utc(&self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:09}",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60,
            self.nanos
        )
    }
}

/// Proleptic Gregorian (year, month, day) for a count of days since 1970-01-01. The era
/// arithmetic works in 400-year cycles so it is exact for negative days too.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of era, 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe.saturating_add(era.saturating_mul(400)) + i64::from(m <= 2);
    (y, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        let t = Timestamp { secs: 0, nanos: 0 };
        assert_eq!(t.format_utc(), "1970-01-01 00:00:00.000000000");
        // 2024-01-31 12:34:56 UTC (date -u -d @1706704496).
        let t = Timestamp {
            secs: 1_706_704_496,
            nanos: 123_456_789,
        };
        assert_eq!(t.format_utc(), "2024-01-31 12:34:56.123456789");
        // A leap day, and the last second before it.
        let t = Timestamp {
            secs: 951_782_400,
            nanos: 0,
        };
        assert_eq!(t.format_utc(), "2000-02-29 00:00:00.000000000");
        let t = Timestamp { secs: -1, nanos: 5 };
        assert_eq!(t.format_utc(), "1969-12-31 23:59:59.000000005");
    }

    #[test]
    fn extreme_values_do_not_panic() {
        for secs in [i64::MIN, i64::MAX, i64::MIN + 1, -86_400 * 365 * 3000] {
            let _ = Timestamp {
                secs,
                nanos: 999_999_999,
            }
            .format_utc();
        }
        let _ = Timestamp::from_ticks(u64::MAX, 1, i64::MAX);
        let _ = Timestamp::from_ticks(u64::MAX, 0, i64::MIN);
        let _ = Timestamp::from_secs_frac(i64::MAX, u64::MAX, 0);
    }

    #[test]
    fn ticks_at_various_resolutions() {
        // Microseconds, nanoseconds, and 2^-10 s (1/1024).
        assert_eq!(
            Timestamp::from_ticks(1_500_000, 1_000_000, 0),
            Timestamp {
                secs: 1,
                nanos: 500_000_000
            }
        );
        assert_eq!(
            Timestamp::from_ticks(2_000_000_001, 1_000_000_000, 10),
            Timestamp { secs: 12, nanos: 1 }
        );
        assert_eq!(
            Timestamp::from_ticks(1024 + 512, 1024, -1),
            Timestamp {
                secs: 0,
                nanos: 500_000_000
            }
        );
        // A fraction field of 1.5 s is carried into the seconds.
        assert_eq!(
            Timestamp::from_secs_frac(10, 1_500_000, 1_000_000),
            Timestamp {
                secs: 11,
                nanos: 500_000_000
            }
        );
        assert!(
            (Timestamp {
                secs: 2,
                nanos: 250_000_000
            }
            .as_f64_secs()
                - 2.25)
                .abs()
                < 1e-9
        );
    }
}
