//! The `hannun` binary: command line, configuration, wiring and lifecycle.

mod client;
mod config;
mod demo_seed;
mod notify;
mod server;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// hannun (한눈): logs, traces, metrics and security signals at a glance.
#[derive(Parser)]
#[command(name = "hannun", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: UI and API, OTLP/gRPC and OTLP/HTTP receivers.
    Serve(config::ServeArgs),
    /// Run the server seeded with the demo company's data (7 days of logs,
    /// traces and metrics); an existing demo data directory is reused.
    Demo(config::DemoArgs),
    /// Run one SQL query against a running server.
    Sql {
        /// The statement, e.g. "SELECT service, count(*) FROM logs GROUP BY 1".
        sql: String,
        #[command(flatten)]
        target: client::Target,
        /// Print JSON rows instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Search events on a running server, e.g. 'service:jobs-api status:error "timeout"'.
    Search {
        query: String,
        /// How far back to search: 15m, 1h, 24h, 7d.
        #[arg(long, default_value = "1h")]
        since: String,
        #[arg(long, default_value = "logs")]
        dataset: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[command(flatten)]
        target: client::Target,
        /// Print the whole JSON response.
        #[arg(long)]
        json: bool,
    },
    /// Bulk-load NDJSON or OTLP-JSON files (optionally .gz) into a running server.
    Ingest {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Dataset for NDJSON files (OTLP files go to logs, spans or metrics).
        #[arg(long, default_value = "logs")]
        dataset: String,
        #[command(flatten)]
        target: client::Target,
        /// Ingest API key, if the server enforces keys.
        #[arg(long, env = "HANNUN_API_KEY")]
        api_key: Option<String>,
    },
    /// Import AWS's own log files into a running server: VPC flow logs
    /// (text, gz or Parquet, AWSLogs/ layouts), Route 53 Resolver query
    /// logs and `aws ec2 describe-network-interfaces` JSON. Directories are
    /// walked, s3://bucket/prefix URLs listed (AWS credentials from the
    /// environment); each object's kind is recognised from its key and
    /// content.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Read every file as this kind: vpc_flow_logs,
        /// resolver_query_logs, eni_inventory, cloudtrail or okta.
        #[arg(long)]
        kind: Option<String>,
        /// Region of the s3:// buckets (else AWS_REGION / AWS_DEFAULT_REGION).
        #[arg(long)]
        region: Option<String>,
        /// An S3-compatible endpoint for s3:// URLs (path-style requests).
        #[arg(long)]
        endpoint: Option<String>,
        #[command(flatten)]
        target: client::Target,
        /// Ingest API key, if the server enforces keys.
        #[arg(long, env = "HANNUN_API_KEY")]
        api_key: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HANNUN_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve(args) => server::run(config::Config::from_serve_args(&args)?, None),
        Command::Demo(args) => {
            let config = config::Config::from_demo_args(&args)?;
            server::run(config, Some((args.seed, args.scale)))
        }
        Command::Sql { sql, target, json } => client::sql(&target, &sql, json),
        Command::Search {
            query,
            since,
            dataset,
            limit,
            target,
            json,
        } => client::search(&target, &dataset, &query, &since, limit, json),
        Command::Ingest {
            files,
            dataset,
            target,
            api_key,
        } => client::ingest(&target, &files, &dataset, api_key.as_deref()),
        Command::Import {
            paths,
            kind,
            region,
            endpoint,
            target,
            api_key,
        } => client::import(
            &target,
            &paths,
            kind.as_deref(),
            api_key.as_deref(),
            &client::S3Options {
                region: region.as_deref(),
                endpoint: endpoint.as_deref(),
            },
        ),
    }
}
