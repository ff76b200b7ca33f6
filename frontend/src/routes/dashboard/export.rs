//! The whole dashboard as one CSV: every figure a row, amounts with their currency.

use super::*;

pub(super) const DASHBOARD_CSV_HEADER: [&str; 6] =
    ["section", "figure", "value", "currency", "as_of", "period"];

/// Every figure on the dashboard as one row: amounts as plain decimals with their currency,
/// counts and percentages without one.
pub(super) fn dashboard_csv_rows(d: &Dashboard) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut money = |section: &str, figure: &str, value: &Money| {
        rows.push(vec![
            section.to_string(),
            figure.to_string(),
            value.amount.clone(),
            value.currency.clone(),
            d.as_of.clone(),
            d.period.clone(),
        ]);
    };
    if let Some(revenue) = &d.revenue {
        let bridge = &revenue.movements;
        money("revenue", "MRR", &revenue.mrr);
        money("revenue", "ARR", &revenue.arr);
        money("revenue", "Opening MRR", &bridge.opening);
        money("revenue", "New MRR", &bridge.new);
        money("revenue", "Reactivation MRR", &bridge.reactivation);
        money("revenue", "Expansion MRR", &bridge.expansion);
        money("revenue", "Contraction MRR", &bridge.contraction);
        money("revenue", "Churned MRR", &bridge.churn);
        money("revenue", "Net MRR change", &bridge.net_change);
        money("revenue", "Closing MRR", &bridge.closing);
    }
    if let Some(invoicing) = &d.invoicing {
        money("invoicing", "Issued total", &invoicing.issued_total);
        money("invoicing", "Paid total", &invoicing.paid_total);
        money(
            "invoicing",
            "Outstanding total",
            &invoicing.outstanding_total,
        );
        money("invoicing", "Overdue total", &invoicing.overdue_total);
    }
    if let Some(aging) = &d.aging {
        for line in &aging.lines {
            money("aging", &line.label, &line.amount);
        }
        money("aging", "Total", &aging.total);
    }
    if let Some(commissions) = &d.commissions {
        money(
            "commissions",
            "Earned month to date",
            &commissions.earned_month_to_date,
        );
        money("commissions", "Payable", &commissions.payable);
    }
    if let Some(alerts) = &d.alerts {
        money(
            "alerts",
            "Renewals due in 30 days ARR",
            &alerts.renewals_arr,
        );
        money("alerts", "ARR at risk", &alerts.arr_at_risk);
        money(
            "alerts",
            "Blocked for missing PO",
            &alerts.blocked_po_amount,
        );
    }
    let mut plain = |section: &str, figure: &str, value: String| {
        rows.push(vec![
            section.to_string(),
            figure.to_string(),
            value,
            String::new(),
            d.as_of.clone(),
            d.period.clone(),
        ]);
    };
    if let Some(revenue) = &d.revenue {
        plain(
            "revenue",
            "Paying customers",
            revenue.paying_customers.to_string(),
        );
        if let Some(percent) = &revenue.movements.net_percent {
            plain("revenue", "Net MRR change percent", percent.clone());
        }
    }
    if let Some(invoicing) = &d.invoicing {
        plain(
            "invoicing",
            "Issued count",
            invoicing.issued_count.to_string(),
        );
        plain("invoicing", "Paid count", invoicing.paid_count.to_string());
        if let Some(days) = &invoicing.average_days_to_pay {
            plain("invoicing", "Average days to pay", days.clone());
        }
        plain(
            "invoicing",
            "Outstanding count",
            invoicing.outstanding_count.to_string(),
        );
        plain(
            "invoicing",
            "Overdue count",
            invoicing.overdue_count.to_string(),
        );
        plain(
            "invoicing",
            "Over 60 days to escalate",
            invoicing.over60_count.to_string(),
        );
    }
    if let Some(aging) = &d.aging {
        for line in &aging.lines {
            plain(
                "aging",
                &format!("{} percent of AR", line.label),
                line.percent.clone(),
            );
            plain(
                "aging",
                &format!("{} invoices", line.label),
                line.count.to_string(),
            );
        }
    }
    if let Some(commissions) = &d.commissions {
        plain(
            "commissions",
            "Next payout date",
            commissions.next_payout_date.clone(),
        );
        plain(
            "commissions",
            "Open disputes",
            commissions.open_disputes.to_string(),
        );
        plain(
            "commissions",
            "Overdue disputes",
            commissions.overdue_disputes.to_string(),
        );
    }
    if let Some(alerts) = &d.alerts {
        plain(
            "alerts",
            "Renewals due in 30 days",
            alerts.renewals_due.to_string(),
        );
        plain(
            "alerts",
            "Renewals at risk",
            alerts.renewals_at_risk.to_string(),
        );
        plain(
            "alerts",
            "Invoices blocked for missing PO",
            alerts.blocked_po_count.to_string(),
        );
        plain(
            "alerts",
            "Customers on credit hold",
            alerts.credit_holds.len().to_string(),
        );
    }
    if let Some(rules) = &d.quality {
        for rule in rules {
            plain(
                "quality",
                &rule.title,
                if rule.met {
                    "met".to_string()
                } else {
                    format!("late ({})", rule.late)
                },
            );
        }
    }
    rows
}
