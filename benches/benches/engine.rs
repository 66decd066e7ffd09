//! Wall time of engine runs against a provider with a fixed 200 ms latency, to compare with
//! the ideal `ceil(chunks / concurrency) * 200 ms` printed before each group.

use criterion::{criterion_group, criterion_main, Criterion};
use dgs_benches::engine_overhead::Scenario;
use std::time::Duration;

fn engine_overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut group = c.benchmark_group("engine_fixed_latency");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(25));

    for (chunks, concurrency) in [(40, 4), (40, 8), (100, 16)] {
        let scenario = Scenario {
            chunks,
            chunk_size: 50,
            concurrency,
            latency: Duration::from_millis(200),
        };
        let engine = scenario.engine();
        eprintln!(
            "chunks={chunks} concurrency={concurrency}: ideal {:?}",
            scenario.ideal()
        );
        group.bench_function(format!("chunks{chunks}_c{concurrency}"), |b| {
            b.iter(|| runtime.block_on(scenario.run_once(&engine)))
        });
    }
    group.finish();
}

criterion_group!(benches, engine_overhead);
criterion_main!(benches);
