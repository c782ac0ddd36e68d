//! hannun
