//! Stratified sampling of classified groups for human review.
//!
//! Strata are the predicted categories, optionally split by score band. Each stratum gets a
//! share of the sample proportional to its number of groups (largest-remainder rounding),
//! raised to a minimum so rare categories are reviewed too; a stratum smaller than its share
//! is taken whole. Groups are drawn with a seeded generator, so the same candidates, options
//! and seed always give the same sample.

use super::rng::SplitMix64;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A classified group that may be sampled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleCandidate {
    pub group_id: u64,
    /// Predicted category.
    pub category: String,
    /// Model confidence in 0..=1, or -1 for fallback results.
    pub score: f64,
    /// Rows in the group; one verdict covers all of them.
    pub group_size: u64,
}

/// How many groups to draw.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleSize {
    /// A number of groups.
    Count(u64),
    /// A fraction of all groups, in `0 < fraction <= 1`, rounded up.
    Fraction(f64),
}

/// Sampling options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleOptions {
    pub size: SampleSize,
    /// Groups drawn from each stratum at least, or the whole stratum when it is smaller.
    /// The minimum wins over `size`, so the sample can be larger than requested.
    /// Default: 5.
    pub min_per_stratum: u64,
    /// Seed of the generator. Default: 0.
    pub seed: u64,
    /// Upper edges of score bands that split each category, ascending, e.g. `[0.5, 0.8]`
    /// makes the bands `< 0.5`, `0.5..0.8` and `>= 0.8`. Empty (the default) means one band.
    pub score_bands: Vec<f64>,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            size: SampleSize::Count(100),
            min_per_stratum: 5,
            seed: 0,
            score_bands: Vec::new(),
        }
    }
}

/// A stratum: a predicted category and, when bands are used, a score band index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StratumKey {
    pub category: String,
    /// 0-based band index; always 0 without score bands.
    pub band: usize,
}

/// Sampling outcome of one stratum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StratumReport {
    pub key: StratumKey,
    /// Groups in the stratum.
    pub population: u64,
    /// Rows in the stratum's groups.
    pub population_rows: u64,
    /// Groups drawn.
    pub sampled: u64,
}

/// A drawn sample: the chosen groups in group-id order, and the strata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub items: Vec<SampleCandidate>,
    pub strata: Vec<StratumReport>,
    /// The size requested, in groups, after turning a fraction into a count.
    pub requested: u64,
    pub seed: u64,
}

/// Errors from drawing a sample.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SampleError {
    /// A fraction outside `0 < fraction <= 1`, or NaN.
    #[error("sample fraction {0} is invalid: expected a number in 0 < fraction <= 1")]
    InvalidFraction(f64),

    /// Score band edges that are not finite and strictly ascending.
    #[error("score bands {0:?} are invalid: expected finite, strictly ascending edges")]
    InvalidBands(Vec<f64>),

    /// The same group id appears twice among the candidates.
    #[error("group {0} appears more than once among the sample candidates")]
    DuplicateGroup(u64),
}

/// Draws a stratified sample of `candidates`.
pub fn stratified_sample(
    candidates: &[SampleCandidate],
    options: &SampleOptions,
) -> Result<Sample, SampleError> {
    validate_bands(&options.score_bands)?;
    let requested = requested_count(options.size, candidates.len() as u64)?;

    let strata = group_into_strata(candidates, &options.score_bands)?;
    let allocation = allocate(&strata, requested, options.min_per_stratum);

    let mut rng = SplitMix64::new(options.seed);
    let mut items = Vec::new();
    let mut reports = Vec::with_capacity(strata.len());
    for ((key, members), take) in strata.into_iter().zip(allocation) {
        let population_rows = members.iter().map(|member| member.group_size).sum();
        reports.push(StratumReport {
            key,
            population: members.len() as u64,
            population_rows,
            sampled: take,
        });
        items.extend(draw(members, take, &mut rng));
    }
    items.sort_by_key(|item| item.group_id);

    Ok(Sample {
        items,
        strata: reports,
        requested,
        seed: options.seed,
    })
}

fn validate_bands(bands: &[f64]) -> Result<(), SampleError> {
    let finite = bands.iter().all(|edge| edge.is_finite());
    let ascending = bands.windows(2).all(|pair| pair[0] < pair[1]);
    if finite && ascending {
        Ok(())
    } else {
        Err(SampleError::InvalidBands(bands.to_vec()))
    }
}

fn requested_count(size: SampleSize, population: u64) -> Result<u64, SampleError> {
    match size {
        SampleSize::Count(count) => Ok(count.min(population)),
        SampleSize::Fraction(fraction) if fraction > 0.0 && fraction <= 1.0 => {
            Ok(((population as f64) * fraction).ceil() as u64)
        }
        SampleSize::Fraction(fraction) => Err(SampleError::InvalidFraction(fraction)),
    }
}

/// Sorts candidates into strata ordered by key. Members are ordered by group id, so the draw
/// does not depend on the order the caller passed them in.
fn group_into_strata(
    candidates: &[SampleCandidate],
    bands: &[f64],
) -> Result<Vec<(StratumKey, Vec<SampleCandidate>)>, SampleError> {
    let mut strata: BTreeMap<StratumKey, Vec<SampleCandidate>> = BTreeMap::new();
    for candidate in candidates {
        let band = bands
            .iter()
            .take_while(|edge| candidate.score >= **edge)
            .count();
        let key = StratumKey {
            category: candidate.category.clone(),
            band,
        };
        strata.entry(key).or_default().push(candidate.clone());
    }

    let mut ordered: Vec<_> = strata.into_iter().collect();
    for (_, members) in &mut ordered {
        members.sort_by_key(|member| member.group_id);
        if let Some(pair) = members
            .windows(2)
            .find(|pair| pair[0].group_id == pair[1].group_id)
        {
            return Err(SampleError::DuplicateGroup(pair[0].group_id));
        }
    }
    Ok(ordered)
}

/// Splits `requested` across strata in proportion to their sizes, by largest remainder, then
/// raises each stratum to `min(minimum, population)`.
fn allocate(
    strata: &[(StratumKey, Vec<SampleCandidate>)],
    requested: u64,
    minimum: u64,
) -> Vec<u64> {
    let total: u64 = strata.iter().map(|(_, members)| members.len() as u64).sum();
    if total == 0 {
        return vec![0; strata.len()];
    }

    let quotas: Vec<f64> = strata
        .iter()
        .map(|(_, members)| requested as f64 * members.len() as f64 / total as f64)
        .collect();
    let mut shares: Vec<u64> = quotas.iter().map(|quota| quota.floor() as u64).collect();

    let mut leftover = requested - shares.iter().sum::<u64>();
    let mut by_remainder: Vec<usize> = (0..strata.len()).collect();
    by_remainder.sort_by(|a, b| {
        let remainder_a = quotas[*a] - quotas[*a].floor();
        let remainder_b = quotas[*b] - quotas[*b].floor();
        remainder_b.total_cmp(&remainder_a).then(a.cmp(b))
    });
    for index in by_remainder {
        if leftover == 0 {
            break;
        }
        shares[index] += 1;
        leftover -= 1;
    }

    shares
        .iter()
        .zip(strata)
        .map(|(share, (_, members))| {
            let population = members.len() as u64;
            (*share).max(minimum).min(population)
        })
        .collect()
}

/// Draws `take` members without replacement by a partial Fisher-Yates shuffle.
fn draw(
    mut members: Vec<SampleCandidate>,
    take: u64,
    rng: &mut SplitMix64,
) -> Vec<SampleCandidate> {
    let take = take as usize;
    let len = members.len();
    for position in 0..take.min(len) {
        let pick = position + rng.below((len - position) as u64) as usize;
        members.swap(position, pick);
    }
    members.truncate(take);
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(spec: &[(&str, u64)]) -> Vec<SampleCandidate> {
        let mut out = Vec::new();
        let mut next_id = 0;
        for (category, count) in spec {
            for _ in 0..*count {
                out.push(SampleCandidate {
                    group_id: next_id,
                    category: (*category).to_owned(),
                    score: (next_id % 10) as f64 / 10.0,
                    group_size: 1 + next_id % 3,
                });
                next_id += 1;
            }
        }
        out
    }

    fn sampled(sample: &Sample, category: &str) -> u64 {
        sample
            .strata
            .iter()
            .filter(|stratum| stratum.key.category == category)
            .map(|stratum| stratum.sampled)
            .sum()
    }

    #[test]
    fn proportional_on_skewed_distribution() {
        let pool = candidates(&[("Arriendos", 800), ("Honorarios", 150), ("Seguros", 50)]);
        let options = SampleOptions {
            size: SampleSize::Count(100),
            min_per_stratum: 0,
            ..SampleOptions::default()
        };

        let sample = stratified_sample(&pool, &options).unwrap();

        assert_eq!(sampled(&sample, "Arriendos"), 80);
        assert_eq!(sampled(&sample, "Honorarios"), 15);
        assert_eq!(sampled(&sample, "Seguros"), 5);
        assert_eq!(sample.items.len(), 100);
    }

    #[test]
    fn minimum_raises_rare_strata() {
        let pool = candidates(&[
            ("Arriendos", 980),
            ("Seguros", 15),
            ("Viajes", 3),
            ("Otros", 2),
        ]);
        let options = SampleOptions {
            size: SampleSize::Count(50),
            min_per_stratum: 10,
            ..SampleOptions::default()
        };

        let sample = stratified_sample(&pool, &options).unwrap();

        assert_eq!(sampled(&sample, "Arriendos"), 49);
        assert_eq!(sampled(&sample, "Seguros"), 10);
        assert_eq!(
            sampled(&sample, "Viajes"),
            3,
            "a stratum smaller than the minimum is taken whole"
        );
        assert_eq!(sampled(&sample, "Otros"), 2);
    }

    #[test]
    fn largest_remainder_keeps_total() {
        let pool = candidates(&[("A", 1), ("B", 1), ("C", 1)]);
        let options = SampleOptions {
            size: SampleSize::Count(2),
            min_per_stratum: 0,
            ..SampleOptions::default()
        };

        let sample = stratified_sample(&pool, &options).unwrap();

        assert_eq!(sample.items.len(), 2);
    }

    #[test]
    fn same_seed_same_sample() {
        let pool = candidates(&[("Arriendos", 300), ("Honorarios", 70)]);
        let options = SampleOptions {
            size: SampleSize::Count(40),
            seed: 2024,
            ..SampleOptions::default()
        };

        let first = stratified_sample(&pool, &options).unwrap();
        let mut reversed = pool.clone();
        reversed.reverse();
        let second = stratified_sample(&reversed, &options).unwrap();

        assert_eq!(first, second, "input order must not change the sample");
    }

    #[test]
    fn other_seed_other_sample() {
        let pool = candidates(&[("Arriendos", 300), ("Honorarios", 70)]);
        let mut options = SampleOptions {
            size: SampleSize::Count(40),
            seed: 1,
            ..SampleOptions::default()
        };
        let first = stratified_sample(&pool, &options).unwrap();
        options.seed = 2;
        let second = stratified_sample(&pool, &options).unwrap();

        assert_ne!(first.items, second.items);
    }

    #[test]
    fn fraction_rounds_up() {
        let pool = candidates(&[("A", 101)]);
        let options = SampleOptions {
            size: SampleSize::Fraction(0.1),
            min_per_stratum: 0,
            ..SampleOptions::default()
        };

        let sample = stratified_sample(&pool, &options).unwrap();

        assert_eq!(sample.requested, 11);
        assert_eq!(sample.items.len(), 11);
    }

    #[test]
    fn invalid_fraction_rejected() {
        let options = SampleOptions {
            size: SampleSize::Fraction(1.5),
            ..SampleOptions::default()
        };
        let error = stratified_sample(&candidates(&[("A", 3)]), &options).unwrap_err();
        assert_eq!(error, SampleError::InvalidFraction(1.5));
    }

    #[test]
    fn score_bands_split_categories() {
        let pool = candidates(&[("A", 100)]);
        let options = SampleOptions {
            size: SampleSize::Count(20),
            min_per_stratum: 0,
            score_bands: vec![0.5],
            ..SampleOptions::default()
        };

        let sample = stratified_sample(&pool, &options).unwrap();

        assert_eq!(sample.strata.len(), 2);
        assert_eq!(sample.strata[0].key.band, 0);
        assert_eq!(sample.strata[0].population, 50);
        assert_eq!(sample.strata[1].population, 50);
        assert!(sample.items.iter().filter(|item| item.score < 0.5).count() == 10);
    }

    #[test]
    fn duplicate_group_rejected() {
        let mut pool = candidates(&[("A", 3)]);
        pool.push(pool[0].clone());
        let error = stratified_sample(&pool, &SampleOptions::default()).unwrap_err();
        assert_eq!(error, SampleError::DuplicateGroup(0));
    }

    #[test]
    fn every_item_is_a_distinct_candidate() {
        let pool = candidates(&[("A", 37), ("B", 5), ("C", 120)]);
        let sample = stratified_sample(&pool, &SampleOptions::default()).unwrap();
        let mut ids: Vec<u64> = sample.items.iter().map(|item| item.group_id).collect();
        ids.dedup();
        assert_eq!(ids.len(), sample.items.len());
        assert!(sample.items.iter().all(|item| pool.contains(item)));
    }
}
