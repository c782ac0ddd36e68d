//! Developer automation: `cargo xtask bench` and `cargo xtask bench-spans`
//! (docs/benchmarks.md), `bench-flows`, `bench-s3-source` and `cargo xtask
//! architecture`.

mod architecture;
mod aws_ip_ranges;
mod bench;
mod detect_bench;
mod flow_gen;
mod flows_bench;
mod harness;
mod module_graph;
mod report;
mod rust_paths;
mod s3_bench;
mod server;
mod span_gen;
mod spans_bench;

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => {
            let number = |name: &str, default: usize| -> anyhow::Result<usize> {
                Ok(flag(&args, name)
                    .map(|v| v.replace('_', "").parse())
                    .transpose()?
                    .unwrap_or(default))
            };
            bench::bench(bench::Options {
                events: number("--events", 10_000_000)?,
                otlp_events: number("--otlp-events", 2_000_000)?,
                runs: number("--runs", 5)?.max(1),
                write_doc: !args.iter().any(|a| a == "--no-write"),
            })
        }
        Some("bench-spans") => {
            let number = |name: &str, default: usize| -> anyhow::Result<usize> {
                Ok(flag(&args, name)
                    .map(|v| v.replace('_', "").parse())
                    .transpose()?
                    .unwrap_or(default))
            };
            spans_bench::bench_spans(spans_bench::SpanOptions {
                spans: number("--spans", 100_000_000)?,
                runs: number("--runs", 5)?.max(1),
                write_doc: !args.iter().any(|a| a == "--no-write"),
                before: flag(&args, "--before").map(std::path::PathBuf::from),
            })
        }
        Some("bench-flows") => {
            let number = |name: &str, default: usize| -> anyhow::Result<usize> {
                Ok(flag(&args, name)
                    .map(|v| v.replace('_', "").parse())
                    .transpose()?
                    .unwrap_or(default))
            };
            flows_bench::bench_flows(flows_bench::FlowOptions {
                records: number("--records", 100_000_000)?,
                runs: number("--runs", 5)?.max(1),
            })
        }
        Some("bench-detect") => {
            let events = flag(&args, "--events")
                .map(|v| v.replace('_', "").parse())
                .transpose()?
                .unwrap_or(1_000_000);
            detect_bench::bench_detect(detect_bench::DetectOptions {
                events,
                attack: match flag(&args, "--mix").as_deref() {
                    None | Some("realistic") => false,
                    Some("attack") => true,
                    Some(other) => anyhow::bail!("--mix {other}: realistic or attack"),
                },
                in_process: args.iter().any(|a| a == "--in-process"),
                path_only: args.iter().any(|a| a == "--path-only"),
            })
        }
        Some("bench-s3-source") => {
            let number = |name: &str, default: usize| -> anyhow::Result<usize> {
                Ok(flag(&args, name)
                    .map(|v| v.replace('_', "").parse())
                    .transpose()?
                    .unwrap_or(default))
            };
            s3_bench::bench_s3_source(s3_bench::S3Options {
                objects: number("--objects", 100_000)?.max(2),
                records_per_object: number("--records-per-object", 20)?.max(1),
            })
        }
        Some("aws-ip-ranges") => {
            let version = flag(&args, "--version")
                .unwrap_or_else(|| aws_ip_ranges::DEFAULT_VERSION.to_owned());
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or(std::path::Path::new("."));
            aws_ip_ranges::refresh(root, &version)
        }
        Some("architecture") => {
            let output = std::process::Command::new(env!("CARGO"))
                .args(["metadata", "--format-version", "1", "--no-deps"])
                .output()?;
            let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
            let findings = architecture::check_workspace(&metadata)?;
            for circle in &findings.allowed_circles {
                eprintln!("allowed until issue 10 part 4: {circle}");
            }
            for v in &findings.violations {
                eprintln!("{v}");
            }
            anyhow::ensure!(
                findings.violations.is_empty(),
                "{} architecture violations",
                findings.violations.len()
            );
            println!("architecture ok");
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: cargo xtask bench [--events N] [--otlp-events N] [--runs N] [--no-write]\n       cargo xtask bench-spans [--spans N] [--runs N] [--no-write] [--before HANNUN_BINARY]\n       cargo xtask bench-flows [--records N] [--runs N]
       cargo xtask bench-s3-source [--objects N] [--records-per-object N]
       cargo xtask bench-detect [--events N] [--mix realistic|attack] [--in-process | --path-only]
       cargo xtask architecture"
            );
            std::process::exit(2)
        }
    }
}
