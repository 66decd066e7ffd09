//! A token bucket shared by the requests of one engine, for requests-per-minute and
//! tokens-per-minute limits.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// A bucket that holds up to `capacity` tokens and refills `capacity` tokens per minute.
///
/// The balance may go negative when a request used more tokens than it reserved
/// ([`TokenBucket::charge`]); later requests then wait until it is paid back.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    capacity: f64,
    per_second: f64,
    state: Mutex<BucketState>,
}

#[derive(Debug)]
struct BucketState {
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// Builds a full bucket for `per_minute` tokens per minute.
    pub(crate) fn per_minute(per_minute: u32) -> Self {
        let capacity = f64::from(per_minute.max(1));
        TokenBucket {
            capacity,
            per_second: capacity / 60.0,
            state: Mutex::new(BucketState {
                tokens: capacity,
                updated: Instant::now(),
            }),
        }
    }

    /// Waits until `amount` tokens are available and takes them. An amount above the
    /// capacity waits for a full bucket and takes all of it plus the excess as debt.
    pub(crate) async fn acquire(&self, amount: u64) {
        let amount = amount as f64;
        let needed = amount.min(self.capacity);

        loop {
            let wait = {
                let mut state = self.state.lock().await;
                self.refill(&mut state);
                if state.tokens >= needed {
                    state.tokens -= amount;
                    return;
                }
                (needed - state.tokens) / self.per_second
            };
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }

    /// Takes `amount` more tokens without waiting, for usage above the reserved estimate.
    pub(crate) async fn charge(&self, amount: u64) {
        let mut state = self.state.lock().await;
        self.refill(&mut state);
        state.tokens -= amount as f64;
    }

    fn refill(&self, state: &mut BucketState) {
        let now = Instant::now();
        let elapsed = now.duration_since(state.updated).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.per_second).min(self.capacity);
        state.updated = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bucket_waits_for_refill() {
        let bucket = TokenBucket::per_minute(60);
        let start = Instant::now();
        bucket.acquire(60).await;
        assert_eq!(start.elapsed(), Duration::ZERO);

        bucket.acquire(30).await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_secs(30), "{waited:?}");
        assert!(waited < Duration::from_secs(31), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn debt_delays_next_request() {
        let bucket = TokenBucket::per_minute(60);
        bucket.acquire(10).await;
        bucket.charge(110).await;

        let start = Instant::now();
        bucket.acquire(1).await;
        assert!(
            start.elapsed() >= Duration::from_secs(61),
            "{:?}",
            start.elapsed()
        );
    }
}
