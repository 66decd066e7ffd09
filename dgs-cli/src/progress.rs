//! Progress display on stderr: indicatif bars on a terminal, plain lines otherwise.
//!
//! Plain lines go to logs and CI output, so they are rate-limited to one every
//! [`LINE_INTERVAL`], plus one per stage change, one when a stage is done and one per
//! message.

use dgs_core::job::{ProgressEvent, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Minimum time between two plain progress lines of the same stage.
const LINE_INTERVAL: Duration = Duration::from_secs(2);

/// Renders [`ProgressEvent`]s; clones share one display.
#[derive(Clone)]
pub(crate) struct Progress {
    state: Arc<Mutex<State>>,
}

struct State {
    mode: Mode,
    stage: Option<Stage>,
    last_line: Option<Instant>,
    last_event: Option<ProgressEvent>,
}

enum Mode {
    Bars { bar: Option<ProgressBar> },
    Lines,
}

impl Progress {
    /// Chooses bars when stderr is a terminal, lines otherwise.
    pub(crate) fn for_stderr() -> Self {
        let mode = if std::io::stderr().is_terminal() {
            Mode::Bars { bar: None }
        } else {
            Mode::Lines
        };
        Progress {
            state: Arc::new(Mutex::new(State {
                mode,
                stage: None,
                last_line: None,
                last_event: None,
            })),
        }
    }

    /// Returns the callback to hand to the job runner.
    pub(crate) fn callback(&self) -> impl Fn(ProgressEvent) + Send + Sync + 'static {
        let progress = self.clone();
        move |event| progress.show(event)
    }

    /// Shows one event.
    pub(crate) fn show(&self, event: ProgressEvent) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let stage_changed = state.stage != Some(event.stage);
        state.stage = Some(event.stage);

        match &mut state.mode {
            Mode::Bars { bar } => {
                if stage_changed {
                    if let Some(previous) = bar.take() {
                        previous.finish();
                    }
                    *bar = Some(new_bar(&event));
                }
                let current = bar.as_ref().expect("created on the first event");
                if let Some(total) = event.total {
                    current.set_length(total);
                }
                current.set_position(event.done);
                current.set_message(counters(&event));
                if let Some(message) = &event.message {
                    current.println(message);
                }
            }
            Mode::Lines => {
                let due = state
                    .last_line
                    .is_none_or(|last| last.elapsed() >= LINE_INTERVAL);
                let stage_done = event.total == Some(event.done);
                if stage_changed || due || stage_done || event.message.is_some() {
                    eprintln!("{}", plain_line(&event));
                    state.last_line = Some(Instant::now());
                }
            }
        }
        state.last_event = Some(event);
    }

    /// Clears the bars, so the summary that follows is not drawn over.
    pub(crate) fn finish(&self) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Mode::Bars { bar } = &mut state.mode {
            if let Some(bar) = bar.take() {
                bar.finish();
            }
        }
    }
}

fn new_bar(event: &ProgressEvent) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(event.total, ProgressDrawTarget::stderr());
    let template = if event.total.is_some() {
        "{prefix:>8} [{bar:30}] {pos}/{len} {msg}"
    } else {
        "{prefix:>8} {spinner} {pos} {msg}"
    };
    let style = ProgressStyle::with_template(template)
        .expect("the bar template is valid")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(event.stage.as_str());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Tokens, cost, errors and elapsed time of an event, e.g.
/// `tokens 1200 in / 340 out, $0.0012, 0 errors, 12.4 s`.
fn counters(event: &ProgressEvent) -> String {
    let cost = event
        .cost
        .map_or_else(|| "cost n/a".to_owned(), |cost| format!("${cost:.4}"));
    format!(
        "tokens {} in / {} out, {cost}, {} errors, {:.1} s",
        event.usage.prompt_tokens,
        event.usage.completion_tokens,
        event.errors,
        event.elapsed_ms as f64 / 1000.0
    )
}

fn plain_line(event: &ProgressEvent) -> String {
    let position = match event.total {
        Some(total) => format!("{}/{total}", event.done),
        None => event.done.to_string(),
    };
    let mut line = format!("{} {position}, {}", event.stage.as_str(), counters(event));
    if let Some(message) = &event.message {
        line.push_str(": ");
        line.push_str(message);
    }
    line
}
