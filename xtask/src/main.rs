//! Developer automation: `cargo xtask bench` (see docs/benchmarks.md).

mod architecture;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("architecture") => {
            let output = std::process::Command::new("cargo")
                .args(["metadata", "--format-version", "1", "--no-deps"])
                .output()?;
            let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
            let violations = architecture::violations(&metadata);
            for v in &violations {
                eprintln!("{v}");
            }
            anyhow::ensure!(
                violations.is_empty(),
                "{} architecture violations",
                violations.len()
            );
            println!("architecture ok");
            Ok(())
        }
        _ => {
            eprintln!("usage: cargo xtask architecture");
            std::process::exit(2)
        }
    }
}
