//! Prints the wall time of engine runs against a provider with a fixed latency next to the
//! ideal `ceil(chunks / concurrency) * latency`.
//!
//! `cargo run -p dgs-benches --release --example engine_overhead`

use dgs_benches::engine_overhead::Scenario;
use std::time::Duration;

#[tokio::main]
async fn main() {
    println!("chunks  chunk_size  concurrency  ideal_ms  wall_ms  overhead_ms  requests");
    for (chunks, concurrency) in [(40, 4), (40, 8), (100, 16), (200, 50)] {
        let scenario = Scenario {
            chunks,
            chunk_size: 50,
            concurrency,
            latency: Duration::from_millis(200),
        };
        let engine = scenario.engine();
        let (wall, summary) = scenario.run_once(&engine).await;
        assert_eq!(summary.ok as usize, chunks * 50, "every item answered");

        let ideal = scenario.ideal();
        println!(
            "{chunks:>6}  {:>10}  {concurrency:>11}  {:>8}  {:>7}  {:>11}  {:>8}",
            scenario.chunk_size,
            ideal.as_millis(),
            wall.as_millis(),
            wall.as_millis() as i128 - ideal.as_millis() as i128,
            summary.requests,
        );
    }
}
