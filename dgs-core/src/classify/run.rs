//! A run over many items: chunks them, runs up to `max_workers` chunks at once, and hands
//! each chunk's outcome to the caller as soon as it is done.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::{CancellationToken, DropGuard};
use tracing::{info, Instrument};

use super::engine::{Engine, EventSink};
use super::input::Item;
use super::outcome::{ChunkOutcome, ClassifyEvent, RunSummary};
use super::result::Classification;

/// A run in progress. Outcomes arrive in completion order. Dropping the handle cancels the
/// run as its cancellation token would.
#[derive(Debug)]
pub struct ClassifyRun {
    outcomes: mpsc::UnboundedReceiver<ChunkOutcome>,
    driver: JoinHandle<RunSummary>,
    /// Cancels the run's own child token when the handle is dropped.
    _stop_on_drop: DropGuard,
}

impl ClassifyRun {
    /// Waits for the next finished chunk; `None` once every chunk has been handed out or the
    /// run was cancelled.
    pub async fn next_outcome(&mut self) -> Option<ChunkOutcome> {
        self.outcomes.recv().await
    }

    /// Waits for the end of the run and returns its summary. Outcomes not taken with
    /// [`ClassifyRun::next_outcome`] are discarded.
    pub async fn finish(self) -> RunSummary {
        drop(self.outcomes);
        match self.driver.await {
            Ok(summary) => summary,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(_) => RunSummary {
                cancelled: true,
                ..RunSummary::default()
            },
        }
    }
}

/// Results of [`Engine::classify_all`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Results of the finished chunks in item order; every item has one unless the run was
    /// cancelled.
    pub results: Vec<Classification>,
    pub summary: RunSummary,
}

impl Engine {
    /// Starts classifying `items` on the current tokio runtime and returns at once.
    ///
    /// Chunk `k` holds `items[k * chunk_size..]` (at most `chunk_size` items), so a resumed
    /// run with the same items and chunk size addresses the same chunks; chunks listed in
    /// `skip_chunks` are not run. Chunks start in index order as worker slots free up.
    ///
    /// Cancelling `cancel`, or dropping the returned handle, stops starting chunks, requests
    /// and retries. Requests in flight are abandoned and their chunks produce no outcome.
    /// Chunks finished before that are still handed out, and the summary says `cancelled`.
    pub fn run(
        &self,
        items: Vec<Item>,
        skip_chunks: HashSet<usize>,
        cancel: CancellationToken,
        on_event: impl Fn(ClassifyEvent) + Send + Sync + 'static,
    ) -> ClassifyRun {
        let (sender, outcomes) = mpsc::unbounded_channel();
        let cancel = cancel.child_token();
        let stop_on_drop = cancel.clone().drop_guard();
        let engine = self.clone();
        let on_event: EventSink = Arc::new(on_event);
        let span = tracing::Span::current();

        let driver = tokio::spawn(
            async move {
                engine
                    .drive(Arc::new(items), skip_chunks, cancel, on_event, sender)
                    .await
            }
            .instrument(span),
        );
        ClassifyRun {
            outcomes,
            driver,
            _stop_on_drop: stop_on_drop,
        }
    }

    /// Classifies every item and returns the results in item order with the run summary.
    pub async fn classify_all(&self, items: Vec<Item>, cancel: CancellationToken) -> RunResults {
        let ranges = self.chunk_ranges(items.len());
        let mut run = self.run(items, HashSet::new(), cancel, |_| {});

        let mut by_chunk: Vec<Option<Vec<Classification>>> = vec![None; ranges.len()];
        while let Some(outcome) = run.next_outcome().await {
            let index = outcome.chunk_index;
            by_chunk[index] = Some(outcome.results);
        }
        let summary = run.finish().await;

        let results = by_chunk.into_iter().flatten().flatten().collect();
        RunResults { results, summary }
    }

    async fn drive(
        self,
        items: Arc<Vec<Item>>,
        skip_chunks: HashSet<usize>,
        cancel: CancellationToken,
        on_event: EventSink,
        sender: mpsc::UnboundedSender<ChunkOutcome>,
    ) -> RunSummary {
        let ranges = self.chunk_ranges(items.len());
        let to_run: Vec<usize> = (0..ranges.len())
            .filter(|index| !skip_chunks.contains(index))
            .collect();

        let mut summary = RunSummary {
            total_items: items.len(),
            total_chunks: ranges.len(),
            skipped_chunks: ranges.len() - to_run.len(),
            ..RunSummary::default()
        };
        info!(
            items = summary.total_items,
            chunks = summary.total_chunks,
            skipped = summary.skipped_chunks,
            "classification run started"
        );
        on_event(ClassifyEvent::RunStarted {
            total_items: summary.total_items,
            total_chunks: summary.total_chunks,
            skipped_chunks: summary.skipped_chunks,
        });

        let mut tasks = JoinSet::new();
        for &chunk_index in &to_run {
            let engine = self.clone();
            let items = Arc::clone(&items);
            let range = ranges[chunk_index].clone();
            let cancel = cancel.clone();
            let on_event = Arc::clone(&on_event);
            let workers = Arc::clone(&self.inner.worker_slots);

            tasks.spawn(
                async move {
                    let _permit = tokio::select! {
                        biased;
                        _ = cancel.cancelled() => return None,
                        permit = workers.acquire_owned() => permit.expect("the worker semaphore is never closed"),
                    };
                    on_event(ClassifyEvent::ChunkStarted {
                        chunk_index,
                        items: range.len(),
                    });
                    engine
                        .classify_chunk_with(chunk_index, &items[range], &cancel, &*on_event)
                        .await
                }
                .in_current_span(),
            );
        }

        while let Some(joined) = tasks.join_next().await {
            let outcome = match joined {
                Ok(Some(outcome)) => outcome,
                Ok(None) => continue,
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(_) => continue,
            };

            summary.add_outcome(&outcome);
            on_event(ClassifyEvent::ChunkFinished {
                chunk_index: outcome.chunk_index,
                done: summary.finished_chunks,
                total: to_run.len(),
                usage: outcome.usage,
                run_usage: summary.usage,
                failed: outcome.failed.clone(),
            });
            // The receiver may be gone (the caller only wants the summary); the outcome is
            // already counted.
            let _ = sender.send(outcome);
        }

        summary.failed_chunks.sort_unstable();
        summary.cancelled = summary.finished_chunks < to_run.len();
        info!(
            finished = summary.finished_chunks,
            failed = summary.failed_chunks.len(),
            cancelled = summary.cancelled,
            prompt_tokens = summary.usage.prompt_tokens,
            completion_tokens = summary.usage.completion_tokens,
            requests = summary.requests,
            "classification run finished"
        );
        on_event(ClassifyEvent::RunFinished {
            summary: summary.clone(),
        });
        summary
    }
}
