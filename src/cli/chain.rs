//! `ecsync chain generate | verify | head`.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use ecsync_components::ChainStore;
use ecsync_systems::chaingen::GenParams;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::GenerateArgs;
use crate::store::chain_dir::{generate_chain, open_chain_dir};
use crate::store::verify::verify_store;
use crate::util::clock::unix_now_ms;

/// A progress bar on stderr when it is a terminal, hidden otherwise.
pub fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what} [{{bar:40}}] {{pos}}/{{len}} blocks, {{per_sec}}, eta {{eta}}"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// `ecsync chain generate`.
pub fn generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let params = GenParams {
        seed: args.seed,
        authorities: args.authorities as usize,
        payload_bytes: args.payload_bytes as usize,
        slot_ms: args.slot_ms,
        chain_id: args.chain_id,
        ..GenParams::default()
    };
    let started = Instant::now();
    let bar = progress_bar(args.blocks, "generate");
    let head = generate_chain(&args.out, params, args.blocks, |done| {
        bar.set_position(done)
    })?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {} blocks in {secs:.1}s ({:.0} blocks/s) into {}: head {} {}",
        args.blocks,
        args.blocks as f64 / secs,
        args.out.display(),
        head.height,
        head.hash
    );
    println!(
        "a dev federation: {} (mode 0600) holds seed {}, from which every authority's secret key derives; anyone \
         with the seed can derive the keys and sign this chain's blocks, so never use it for anything of value",
        args.out
            .join(crate::store::chain_dir::GENERATOR_FILE)
            .display(),
        args.seed
    );
    Ok(())
}

/// `ecsync chain verify`.
pub fn verify(dir: &Path) -> anyhow::Result<()> {
    let (spec, store) = open_chain_dir(dir)?;
    let started = Instant::now();
    match verify_store(&spec, &store, unix_now_ms())? {
        Ok(report) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "verified {} blocks in {secs:.1}s ({:.0} blocks/s): head {} {}",
                report.blocks,
                report.blocks as f64 / secs.max(1e-9),
                report.head.height,
                report.head.hash
            );
            Ok(())
        }
        Err(invalid) => bail!("{invalid}"),
    }
}

/// `ecsync chain head`.
pub fn head(dir: &Path, json: bool) -> anyhow::Result<()> {
    let (_, store) = open_chain_dir(dir)?;
    let head = store.head()?;
    let checkpoints: Vec<u64> = store.checkpoints()?.iter().map(|c| c.head.height).collect();
    if json {
        let json = serde_json::json!({
            "height": head.height,
            "hash": head.hash.to_hex(),
            "checkpoint": checkpoints.last(),
            "checkpoints": checkpoints,
            "anchor": store.anchor().height,
            "lowest": store.anchor().height,
        });
        println!("{json}");
    } else {
        println!("{} {}", head.height, head.hash);
    }
    Ok(())
}

/// `ecsync chain keys`.
pub fn keys(args: &super::KeysArgs) -> anyhow::Result<()> {
    let (spec, _) = crate::store::chain_dir::open_chain_dir(&args.dir)?;
    let params = crate::store::chain_dir::load_generator(&args.dir)?.with_context(|| {
        format!(
            "{} is not a generated chain (no generator.json): its keys are not derivable",
            args.dir.display()
        )
    })?;
    let generator = ecsync_systems::chaingen::ChainGenerator::new(params)?;
    if generator.spec() != &spec {
        bail!(
            "generator.json does not describe the chain in {}",
            args.dir.display()
        );
    }
    let mut authorities: Vec<usize> = args.authorities.iter().map(|&a| a as usize).collect();
    authorities.sort_unstable();
    authorities.dedup();
    let n = spec.authorities.len();
    if let Some(bad) = authorities.iter().find(|&&a| a >= n) {
        bail!("--authority {bad}: the federation has {n} authorities (0..{n})");
    }
    let file = crate::node::keyfile::dev_key_file(&spec, generator.federation(), &authorities);
    crate::node::keyfile::write_key_file(&args.out, &file)?;
    println!(
        "wrote the keys of authorities {authorities:?} of chain {} to {} (mode 0600)",
        spec.chain_id,
        args.out.display()
    );
    Ok(())
}
