//! The datasets the demo fills, as the generator hands out their lines.

/// The three datasets the demo fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoDataset {
    Logs,
    Spans,
    Metrics,
}

impl DemoDataset {
    pub fn name(&self) -> &'static str {
        match self {
            DemoDataset::Logs => "logs",
            DemoDataset::Spans => "spans",
            DemoDataset::Metrics => "metrics",
        }
    }
}
