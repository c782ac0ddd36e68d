//! Makes every operator of a physical plan give way to the runtime, so a
//! query ends at its timeout and is cancelled when its caller goes away,
//! whatever the plan does.
//!
//! DataFusion only makes the leaves (scans) cooperative. An operator that
//! makes many batches from few inputs (a cross join: one probe batch times
//! every build row) then loops inside one poll for minutes: the timeout
//! never gets to fire and a disconnected client's query runs on. Wrapped in
//! `CooperativeExec`, every batch any operator returns spends the task's
//! budget, so the task yields regularly and a dropped query stops.

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coop::CooperativeExec;

/// The physical optimizer rule that wraps every operator (last of all rules).
#[derive(Debug, Default)]
pub(crate) struct YieldEverywhere;

impl PhysicalOptimizerRule for YieldEverywhere {
    fn name(&self) -> &str {
        "YieldEverywhere"
    }

    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            if node.is::<CooperativeExec>() {
                return Ok(Transformed::no(node));
            }
            let wrapped: Arc<dyn ExecutionPlan> = Arc::new(CooperativeExec::new(node));
            Ok(Transformed::yes(wrapped))
        })
        .map(|t| t.data)
    }

    fn schema_check(&self) -> bool {
        true
    }
}
