//! Progress bars (indicatif) for long work, drawn only on a terminal and
//! never with `--quiet` or `--json`.

use crate::context::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A byte-counting bar for reading input files, with rows per second, that
/// turns into a spinner for the build-and-commit stages.
pub struct ImportProgress {
    bar: ProgressBar,
    done: Arc<AtomicBool>,
    poller: Option<JoinHandle<()>>,
}

impl ImportProgress {
    pub fn start(ctx: &Context, progress: Arc<kith_io::Progress>) -> ImportProgress {
        let total = progress.total_bytes.load(Ordering::Relaxed);
        let bar = if ctx.progress() && !ctx.json {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(10))
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} reading [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        let done = Arc::new(AtomicBool::new(false));
        let poller = {
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                while !done.load(Ordering::Relaxed) {
                    let rows = progress.rows.load(Ordering::Relaxed);
                    bar.set_position(progress.bytes_read.load(Ordering::Relaxed));
                    let rate = rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    bar.set_message(format!(
                        "{} rows, {}/s",
                        human_count(rows as f64),
                        human_count(rate)
                    ));
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        };
        ImportProgress {
            bar,
            done,
            poller: Some(poller),
        }
    }

    /// Switches to a spinner naming the stage being built.
    pub fn stage(&self, stage: &str) {
        self.stop_polling();
        self.bar.set_style(
            ProgressStyle::with_template("{spinner} building {msg}").expect("valid template"),
        );
        self.bar.enable_steady_tick(Duration::from_millis(100));
        self.bar.set_message(stage.to_string());
    }

    fn stop_polling(&self) {
        self.done.store(true, Ordering::Relaxed);
    }

    pub fn finish(mut self) {
        self.stop_polling();
        if let Some(p) = self.poller.take() {
            let _ = p.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for ImportProgress {
    fn drop(&mut self) {
        self.stop_polling();
        self.bar.finish_and_clear();
    }
}

/// A spinner for work of unknown length.
pub fn spinner(ctx: &Context, message: &str) -> ProgressBar {
    let bar = if ctx.progress() && !ctx.json {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar.set_message(message.to_string());
    bar
}

/// 1234567 -> "1.23M", for rates and counts in progress lines.
pub fn human_count(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2}G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// 123456789 -> "117.7 MiB".
pub fn human_bytes(n: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = n as f64;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < units.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{x:.1} {}", units[unit])
    }
}
