//! Reports per partner of a program or of a campaign: clicks (human and
//! bot, total and unique), leads, sales, revenue, commissions, cost, CPA,
//! revenue ROI and media ROI, each with its definition.

use crate::{Db, Error};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ReportRow {
    pub partner_id: String,
    pub partner_name: String,
    pub clicks_human: i64,
    pub clicks_bot: i64,
    pub unique_clicks_human: i64,
    pub unique_clicks_bot: i64,
    pub leads: i64,
    pub sales: i64,
    /// Sales less refunds, minor units.
    pub revenue_minor: i64,
    /// Commissions of both sides not reversed (pending, hold, approved, paid,
    /// clawbacks included), minor units.
    pub commissions_minor: i64,
    /// Agreed fees of the partner in the campaign (or all campaigns).
    pub fees_minor: i64,
    pub cost_minor: i64,
    pub emv_minor: Option<i64>,
    pub cpa_minor: Option<i64>,
    pub revenue_roi: Option<f64>,
    pub media_roi: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    /// `program` or `campaign`.
    pub scope: String,
    pub id: String,
    pub currency: String,
    pub unique_click_window_hours: i64,
    /// Each figure's definition, in words.
    pub definitions: BTreeMap<String, String>,
    pub rows: Vec<ReportRow>,
    pub totals: ReportRow,
}

fn definitions(window_hours: i64) -> BTreeMap<String, String> {
    [
        ("clicks_human", "redirects answered to visitors not flagged as bots (HEAD requests and link previews are not clicks)"),
        ("clicks_bot", "redirects answered to crawlers and scripts, stored and flagged"),
        ("unique_clicks_human", "distinct visitor identities (hash of IP and user agent under a daily salt) per window, human clicks"),
        ("unique_clicks_bot", "the same for bot clicks"),
        ("leads", "lead events (signups) attributed to the partner"),
        ("sales", "sales attributed to the partner"),
        ("revenue_minor", "sum of attributed sale amounts less refunds, in minor units"),
        ("commissions_minor", "commissions earned through the partner on both sides, less clawbacks, excluding fraud, canceled, duplicate and refunded"),
        ("fees_minor", "fees agreed in campaign pipelines"),
        ("cost_minor", "commissions_minor + fees_minor"),
        ("cpa_minor", "cost per acquisition = cost_minor / sales"),
        ("revenue_roi", "(revenue - cost) / cost"),
        ("media_roi", "(earned media value - cost) / cost; earned media value as recorded in the campaign pipeline"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain(std::iter::once((
        "unique_window".to_string(),
        format!("{window_hours} hours, windows aligned to the Unix epoch"),
    )))
    .collect()
}

fn finish(row: &mut ReportRow) {
    row.cost_minor = row.commissions_minor + row.fees_minor;
    let cost = row.cost_minor as f64;
    row.cpa_minor = (row.sales > 0).then(|| row.cost_minor / row.sales);
    row.revenue_roi = (row.cost_minor > 0).then(|| (row.revenue_minor as f64 - cost) / cost);
    row.media_roi = match row.emv_minor {
        Some(emv) if row.cost_minor > 0 => Some((emv as f64 - cost) / cost),
        _ => None,
    };
}

impl Db {
    /// Per-partner report of a program.
    pub async fn program_report(
        &self,
        ws: &str,
        program_id: &str,
        window_hours: i64,
    ) -> Result<Report, Error> {
        let program = self.program(ws, program_id).await?;
        self.report(ws, "program", program_id, &program.currency, window_hours)
            .await
    }

    /// Per-partner report of a campaign: events through its links and codes.
    pub async fn campaign_report(
        &self,
        ws: &str,
        campaign_id: &str,
        window_hours: i64,
    ) -> Result<Report, Error> {
        let campaign = self.campaign(ws, campaign_id).await?;
        let program = self.program(ws, &campaign.program_id).await?;
        self.report(ws, "campaign", campaign_id, &program.currency, window_hours)
            .await
    }

    async fn report(
        &self,
        ws: &str,
        scope: &str,
        id: &str,
        currency: &str,
        window_hours: i64,
    ) -> Result<Report, Error> {
        let window_ms = window_hours.max(1) * 3_600_000;
        let campaign = scope == "campaign";
        // Filters by scope: a program's events, or those that came through
        // the campaign's links (clicks) or its links and codes (customers).
        let (click_filter, customer_filter, pipeline_filter) = if campaign {
            (
                "c.link_id IN (SELECT id FROM links WHERE workspace_id = $1 AND campaign_id = $2)",
                "cu.campaign_id = $2",
                "cp.campaign_id = $2",
            )
        } else {
            (
                "c.program_id = $2",
                "cu.program_id = $2",
                "cp.campaign_id IN (SELECT id FROM campaigns WHERE workspace_id = $1 AND program_id = $2)",
            )
        };
        let mut rows: BTreeMap<String, ReportRow> = BTreeMap::new();
        let partner_scope = if campaign {
            "p.id IN (SELECT partner_id FROM campaign_partners WHERE campaign_id = $2 \
             UNION SELECT partner_id FROM links WHERE campaign_id = $2 \
             UNION SELECT partner_id FROM codes WHERE campaign_id = $2)"
        } else {
            "p.program_id = $2"
        };
        for r in sqlx::query(&format!(
            "SELECT p.id, p.name FROM partners p WHERE p.workspace_id = $1 AND {partner_scope}"
        ))
        .bind(ws)
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let partner_id: String = r.try_get(0)?;
            rows.insert(
                partner_id.clone(),
                ReportRow {
                    partner_id,
                    partner_name: r.try_get(1)?,
                    ..Default::default()
                },
            );
        }
        for r in sqlx::query(&format!(
            "SELECT c.partner_id, c.is_bot, COUNT(*), \
             COUNT(DISTINCT c.identity_hash || ':' || CAST(c.at / $3 AS TEXT)) \
             FROM clicks c WHERE c.workspace_id = $1 AND {click_filter} GROUP BY c.partner_id, c.is_bot"
        ))
        .bind(ws)
        .bind(id)
        .bind(window_ms)
        .fetch_all(&self.pool)
        .await?
        {
            let Some(row) = rows.get_mut(&r.try_get::<String, _>(0)?) else { continue };
            let (total, unique): (i64, i64) = (r.try_get(2)?, r.try_get(3)?);
            if r.try_get::<i64, _>(1)? != 0 {
                row.clicks_bot += total;
                row.unique_clicks_bot += unique;
            } else {
                row.clicks_human += total;
                row.unique_clicks_human += unique;
            }
        }
        for r in sqlx::query(&format!(
            "SELECT cu.partner_id, COUNT(*) FROM leads l JOIN customers cu ON cu.id = l.customer_id \
             WHERE l.workspace_id = $1 AND {customer_filter} AND cu.partner_id IS NOT NULL GROUP BY cu.partner_id"
        ))
        .bind(ws)
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(row) = rows.get_mut(&r.try_get::<String, _>(0)?) {
                row.leads = r.try_get(1)?;
            }
        }
        for r in sqlx::query(&format!(
            "SELECT cu.partner_id, COUNT(*), CAST(COALESCE(SUM(s.amount_minor - s.refunded_minor), 0) AS BIGINT) \
             FROM sales s JOIN customers cu ON cu.id = s.customer_id \
             WHERE s.workspace_id = $1 AND {customer_filter} AND cu.partner_id IS NOT NULL GROUP BY cu.partner_id"
        ))
        .bind(ws)
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(row) = rows.get_mut(&r.try_get::<String, _>(0)?) {
                row.sales = r.try_get(1)?;
                row.revenue_minor = r.try_get(2)?;
            }
        }
        // Commissions follow their event's customer into the campaign scope;
        // clawbacks (refund events) follow the refunded sale's customer.
        for r in sqlx::query(&format!(
            "SELECT m.partner_id, CAST(COALESCE(SUM(m.amount_minor), 0) AS BIGINT) FROM commissions m \
             LEFT JOIN leads l ON m.event_kind = 'lead' AND l.id = m.event_id \
             LEFT JOIN sales s ON m.event_kind = 'sale' AND s.id = m.event_id \
             LEFT JOIN refunds rf ON m.event_kind = 'refund' AND rf.id = m.event_id \
             LEFT JOIN sales rs ON rs.id = rf.sale_id \
             JOIN customers cu ON cu.id = COALESCE(l.customer_id, s.customer_id, rs.customer_id) \
             WHERE m.workspace_id = $1 AND {customer_filter} \
             AND m.status NOT IN ('fraud', 'canceled', 'duplicate', 'refunded') GROUP BY m.partner_id"
        ))
        .bind(ws)
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(row) = rows.get_mut(&r.try_get::<String, _>(0)?) {
                row.commissions_minor = r.try_get(1)?;
            }
        }
        for r in sqlx::query(&format!(
            "SELECT cp.partner_id, CAST(COALESCE(SUM(cp.fee_minor), 0) AS BIGINT), \
             CAST(SUM(cp.emv_minor) AS BIGINT) FROM campaign_partners cp \
             WHERE cp.workspace_id = $1 AND {pipeline_filter} GROUP BY cp.partner_id"
        ))
        .bind(ws)
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            if let Some(row) = rows.get_mut(&r.try_get::<String, _>(0)?) {
                row.fees_minor = r.try_get(1)?;
                row.emv_minor = r.try_get(2)?;
            }
        }
        let mut totals = ReportRow {
            partner_id: "*".into(),
            partner_name: "all partners".into(),
            ..Default::default()
        };
        let mut rows: Vec<ReportRow> = rows.into_values().collect();
        for row in &mut rows {
            finish(row);
            totals.clicks_human += row.clicks_human;
            totals.clicks_bot += row.clicks_bot;
            totals.unique_clicks_human += row.unique_clicks_human;
            totals.unique_clicks_bot += row.unique_clicks_bot;
            totals.leads += row.leads;
            totals.sales += row.sales;
            totals.revenue_minor += row.revenue_minor;
            totals.commissions_minor += row.commissions_minor;
            totals.fees_minor += row.fees_minor;
            if let Some(emv) = row.emv_minor {
                totals.emv_minor = Some(totals.emv_minor.unwrap_or(0) + emv);
            }
        }
        finish(&mut totals);
        Ok(Report {
            scope: scope.to_string(),
            id: id.to_string(),
            currency: currency.to_string(),
            unique_click_window_hours: window_hours,
            definitions: definitions(window_hours),
            rows,
            totals,
        })
    }
}

impl Report {
    /// The report as CSV, one row per partner and a totals row, amounts in
    /// major units.
    pub fn to_csv(&self) -> String {
        let exp = crate::util::currency_exponent(&self.currency).unwrap_or(2) as usize;
        let money = |m: i64| format!("{:.*}", exp, crate::util::to_major(m, &self.currency));
        let ratio = |r: Option<f64>| r.map(|r| format!("{r:.4}")).unwrap_or_default();
        let mut out = String::from(
            "partner_id,partner_name,clicks_human,clicks_bot,unique_clicks_human,unique_clicks_bot,leads,sales,\
             revenue,commissions,fees,cost,emv,cpa,revenue_roi,media_roi,currency\n",
        );
        for r in self.rows.iter().chain(std::iter::once(&self.totals)) {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                r.partner_id,
                crate::commissions::csv_field(&r.partner_name),
                r.clicks_human,
                r.clicks_bot,
                r.unique_clicks_human,
                r.unique_clicks_bot,
                r.leads,
                r.sales,
                money(r.revenue_minor),
                money(r.commissions_minor),
                money(r.fees_minor),
                money(r.cost_minor),
                r.emv_minor.map(money).unwrap_or_default(),
                r.cpa_minor.map(money).unwrap_or_default(),
                ratio(r.revenue_roi),
                ratio(r.media_roi),
                self.currency
            ));
        }
        out
    }
}
