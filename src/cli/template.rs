//! `todoctl template`: render the chart offline and print the objects in apply order.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::args::{CapabilityArgs, ChartArgs, ReleaseArgs, ValuesArgs};
use crate::ops;

/// Render the chart locally and print the objects as YAML, in the order they would be applied.
///
/// Needs no cluster and no kubeconfig. Secret values the chart generates at install show as a
/// marked placeholder.
///
/// Examples:
///   todoctl template
///   todoctl template my-app ./charts/my-app
///   todoctl template --set backend.replicaCount=4
///   todoctl template -f values/production.yaml --show-only templates/backend.yaml
///   todoctl template --output-dir rendered/
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct TemplateArgs {
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[command(flatten)]
    pub chart: ChartArgs,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub capabilities: CapabilityArgs,
    #[command(flatten)]
    pub post: super::args::PostRenderArgs,
    /// Print only the objects of this template, e.g. templates/backend.yaml (repeatable)
    #[arg(long, value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// Write one file per template under DIR instead of printing
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Also print the test objects `todoctl test` runs (left out by default, as install leaves
    /// them out)
    #[arg(long)]
    pub include_tests: bool,
}

pub fn run(args: &TemplateArgs, env: &super::Env) -> Result<ExitCode> {
    let ui = &env.ui;
    let mut render = args
        .capabilities
        .prepare_options(&args.release, &args.chart, &args.values);
    render.post_renderer = args.post.renderer();
    let opts = ops::TemplateOptions {
        render,
        show_only: args.show_only.clone(),
        output_dir: args.output_dir.clone(),
        include_tests: args.include_tests,
    };
    let stop = crate::cancel::StopToken::new();
    let out = if opts.render.post_renderer.is_some() {
        // The post-renderer runs in its own process group, so a Ctrl-C at the terminal reaches
        // only todoctl: its signal handler fires the token that stops the program.
        super::Env::runtime()?.block_on(async {
            stop.install_handlers(ui);
            let (ui, stop) = (ui.clone(), stop.clone());
            ops::run_blocking(move || ops::template(&ui, &stop, &opts)).await
        })?
    } else {
        ops::template(ui, &stop, &opts)?
    };
    match &args.output_dir {
        Some(dir) => {
            for path in &out.written {
                crate::errln!(ui, "wrote {}", path.display());
            }
            if out.written.is_empty() {
                crate::errln!(ui, "nothing to write under {}", dir.display());
            }
        }
        // The objects as `helm template` prints them, Secret values included: rendering them
        // is what was asked for.
        None => ui.out_with_secrets(&out.yaml)?,
    }
    Ok(ExitCode::SUCCESS)
}
