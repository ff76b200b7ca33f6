//! Splitting an amount by weights so the parts sum exactly to the whole (largest remainder).

use super::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("there is nothing to allocate to: the list of parts is empty")]
    NoParts,
    #[error("the weights add up to zero, so there is no proportion to allocate by")]
    ZeroWeights,
}

/// Allocates `total` over parts in proportion to `weights`. Each part gets the floor of its exact
/// share; the minor units left over go one each to the parts with the largest remainders, ties to
/// the earliest part. The parts always sum to `total` (negative totals are split as their
/// magnitude and negated, so a credit splits the same way as the charge it reverses).
pub fn allocate(total: Money, weights: &[u64]) -> Result<Vec<Money>, AllocationError> {
    if weights.is_empty() {
        return Err(AllocationError::NoParts);
    }
    let weight_sum: u128 = weights.iter().map(|weight| u128::from(*weight)).sum();
    if weight_sum == 0 {
        return Err(AllocationError::ZeroWeights);
    }
    let magnitude = u128::from(total.minor().unsigned_abs());
    let mut shares: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let exact = magnitude * u128::from(*weight);
        shares.push(exact / weight_sum);
        remainders.push((exact % weight_sum, index));
    }
    let allocated: u128 = shares.iter().sum();
    let leftover = magnitude - allocated;
    // Largest remainder first; among equal remainders the earliest part wins.
    remainders.sort_by(|left, right| right.0.cmp(&left.0).then(left.1.cmp(&right.1)));
    for (_, index) in remainders.iter().take(leftover as usize) {
        shares[*index] += 1;
    }
    let negative = total.is_negative();
    Ok(shares
        .into_iter()
        .map(|share| {
            // A share never exceeds the magnitude of the total, which came from an i64.
            let share = i64::try_from(share).unwrap_or(i64::MAX);
            Money::from_minor(if negative { -share } else { share }, total.currency())
        })
        .collect())
}
