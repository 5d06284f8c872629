//! Cross-packet detector(s): floods. See the module docs of `detect` for the shape every detector follows.

use super::Detector;

/// Every registry id this module can emit (checked against the registry by tests).
pub const IDS: &[&str] = &[];

/// The detectors of this module at their default settings.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![]
}
