//! A finding: a registry id, the parameters its text needs, and the evidence (which packet, which
//! field, which bytes) that proves it.

use super::registry::{fill, registry, Severity};
use crate::decode::Dissection;
use serde::{Deserialize, Serialize};

/// Bytes that support a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub packet: u64,
    /// Wireshark field name, e.g. `ip.src`.
    pub field: String,
    pub offset: usize,
    pub length: usize,
}

/// A finding as a rule produces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub evidence: Vec<Evidence>,
    /// Whether parameters and evidence are kept. Without them the finding is only its id,
    /// which is all a pass over a large capture needs for every packet but the first of each id.
    pub texts: bool,
}

impl Finding {
    pub fn new(id: &'static str) -> Finding {
        Finding {
            id,
            params: Vec::new(),
            evidence: Vec::new(),
            texts: true,
        }
    }

    /// A finding that keeps only its id: parameters and evidence given to it are dropped
    /// unformatted.
    pub fn id_only(id: &'static str) -> Finding {
        Finding {
            texts: false,
            ..Finding::new(id)
        }
    }

    pub fn param(mut self, name: &'static str, value: impl ToString) -> Finding {
        if self.texts {
            self.params.push((name, value.to_string()));
        }
        self
    }

    /// Like [`Finding::param`], for a value worth building only when texts are wanted.
    pub fn param_with(mut self, name: &'static str, value: impl FnOnce() -> String) -> Finding {
        if self.texts {
            self.params.push((name, value()));
        }
        self
    }

    /// Points at the first occurrence of `field` in the packet (outside quoted copies first).
    pub fn field(mut self, packet: u64, d: &Dissection, field: &str) -> Finding {
        if !self.texts {
            return self;
        }
        let f = d
            .layers
            .iter()
            .filter(|l| !l.quoted)
            .find_map(|l| l.field(field))
            .or_else(|| d.field(field));
        if let Some(f) = f {
            self.evidence.push(Evidence {
                packet,
                field: f.name.to_string(),
                offset: f.offset,
                length: f.len,
            });
        }
        self
    }

    /// Points at a byte range that no single field covers.
    pub fn bytes(mut self, packet: u64, name: &str, offset: usize, length: usize) -> Finding {
        if !self.texts {
            return self;
        }
        self.evidence.push(Evidence {
            packet,
            field: name.to_string(),
            offset,
            length,
        });
        self
    }

    /// The registry's severity for this finding's id, without rendering its texts.
    pub fn severity(&self) -> Severity {
        registry()
            .get(self.id)
            .map_or(Severity::Notice, |e| e.severity)
    }

    /// The finding with its registry texts filled in.
    pub fn render(&self) -> RenderedFinding {
        let (severity, title, text, next, benign, refs) = match registry().get(self.id) {
            Some(e) => (
                e.severity,
                fill(&e.title, &self.params),
                fill(&e.text, &self.params),
                fill(&e.next, &self.params),
                e.benign.as_ref().map(|b| fill(b, &self.params)),
                e.refs.clone(),
            ),
            None => (
                Severity::Notice,
                self.id.to_string(),
                format!("(no registry entry for {})", self.id),
                String::new(),
                None,
                Vec::new(),
            ),
        };
        RenderedFinding {
            id: self.id.to_string(),
            severity,
            title,
            text,
            next,
            benign,
            evidence: self.evidence.clone(),
            references: refs,
        }
    }
}

/// What a reader is shown: the documented JSON schema of `tracelens explain --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedFinding {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub text: String,
    /// Why it matters and what to check next.
    pub next: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benign: Option<String>,
    pub evidence: Vec<Evidence>,
    pub references: Vec<String>,
}
