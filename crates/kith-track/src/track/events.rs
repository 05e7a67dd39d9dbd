//! The tracking writes themselves: idempotency, then a lead, a sale or a
//! refund with its attribution, fraud flags, commissions and webhook outbox
//! rows, all on the batch's transaction.

use super::attribution::{
    Facts, attribute, attribution_of, first_provider_event, fraud_flags, program_facts,
};
use super::{
    CustomerRow, LeadInput, ProgramFacts, RefundInput, SaleInput, TrackReply, TrackRequest, Tx,
};
use crate::Error;
use crate::commissions::{Commission, Event};
use crate::fraud::Flag;
use crate::sql::q;
use crate::util::{check_currency, check_text, new_id, now_ms, sha256_hex};
use serde_json::{Value, json};

pub(super) async fn run_one(
    tx: &mut Tx<'_>,
    ws: &str,
    key: Option<&str>,
    request: &TrackRequest,
) -> Result<TrackReply, Error> {
    let request_hash = sha256_hex(format!("{request:?}").as_bytes());
    if let Some(key) = key {
        check_text("Idempotency-Key", key, 255)?;
        let stored = q(
            "SELECT route, request_hash, status, response FROM idempotency_keys \
             WHERE workspace_id = $1 AND idem_key = $2",
        )
        .bind(ws)
        .bind(key)
        .fetch_optional(&mut tx.conn)
        .await?;
        if let Some(row) = stored {
            let route: String = row.try_get(0)?;
            let hash: String = row.try_get(1)?;
            if route != request.route() || hash != request_hash {
                return Err(Error::Conflict(
                    "this Idempotency-Key was used with another request".into(),
                ));
            }
            let body: String = row.try_get(3)?;
            return Ok(TrackReply {
                status: 200,
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
            });
        }
    }
    let reply = match request {
        TrackRequest::Lead(input) => lead(tx, ws, input).await?,
        TrackRequest::Sale(input) => sale(tx, ws, input).await?,
        TrackRequest::Refund(input) => refund(tx, ws, input).await?,
    };
    if let Some(key) = key {
        q(
            "INSERT INTO idempotency_keys (workspace_id, idem_key, route, request_hash, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(ws)
        .bind(key)
        .bind(request.route())
        .bind(&request_hash)
        .bind(reply.status as i64)
        .bind(reply.body.to_string())
        .bind(now_ms())
        .execute(&mut tx.conn)
        .await?;
    }
    Ok(reply)
}

async fn lead(tx: &mut Tx<'_>, ws: &str, input: &LeadInput) -> Result<TrackReply, Error> {
    let program = program_facts(tx, ws, &input.program_id).await?;
    let event_name = check_text(
        "event_name",
        input.event_name.as_deref().unwrap_or("signup"),
        100,
    )?;
    if !first_provider_event(
        tx,
        ws,
        &program.id,
        input.provider.as_deref(),
        input.provider_event_id.as_deref(),
    )
    .await?
    {
        return existing_lead(tx, ws, &program.id, &input.customer_id, &event_name).await;
    }
    let now = now_ms();
    let facts = Facts {
        customer_ref: &input.customer_id,
        email: input.email.as_deref(),
        click_id: input.click_id.as_deref(),
        code: input.code.as_deref(),
        ip: input.ip.as_deref(),
        user_agent: input.user_agent.as_deref(),
        existing_customer: input.existing_customer.unwrap_or(false),
    };
    let (customer, ads) = attribute(tx, ws, &program, &facts, now).await?;
    let lead_id = new_id("led");
    let inserted = q(
        "INSERT INTO leads (id, workspace_id, program_id, customer_id, event_name, partner_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id, event_name) DO NOTHING",
    )
    .bind(&lead_id)
    .bind(ws)
    .bind(&program.id)
    .bind(&customer.id)
    .bind(&event_name)
    .bind(&customer.partner_id)
    .bind(now)
    .execute(&mut tx.conn)
    .await?;
    if inserted == 0 {
        return existing_lead(tx, ws, &program.id, &input.customer_id, &event_name).await;
    }
    let (flags, commissions) = flag_and_commission(
        tx,
        ws,
        &program,
        &customer,
        &input.customer_id,
        ads.as_deref(),
        Event {
            kind: "lead",
            id: &lead_id,
            amount_minor: 0,
            at: now,
        },
    )
    .await?;
    let body = json!({
        "lead": { "id": lead_id, "customer_id": input.customer_id, "event_name": event_name,
                  "at": crate::util::format_time(now) },
        "attribution": attribution_of(&customer),
        "fraud_flags": flags,
        "commissions": commissions,
    });
    crate::webhooks::enqueue(tx, ws, "lead.created", &body).await?;
    Ok(TrackReply { status: 201, body })
}

/// The fraud rules for one lead or sale, then its commissions (held with
/// their reasons when a rule fired).
async fn flag_and_commission(
    tx: &mut Tx<'_>,
    ws: &str,
    program: &ProgramFacts,
    customer: &CustomerRow,
    customer_ref: &str,
    ads_click_id: Option<&str>,
    event: Event<'_>,
) -> Result<(Vec<Flag>, Vec<Commission>), Error> {
    let (flags, group_id) = fraud_flags(
        tx,
        ws,
        program,
        customer,
        customer_ref,
        ads_click_id,
        event.at,
    )
    .await?;
    let commissions = crate::commissions::create_for_event(
        tx,
        ws,
        program,
        customer,
        group_id.as_deref(),
        event,
        &flags,
    )
    .await?;
    Ok((flags, commissions))
}

async fn existing_lead(
    tx: &mut Tx<'_>,
    ws: &str,
    program_id: &str,
    customer_ref: &str,
    event_name: &str,
) -> Result<TrackReply, Error> {
    let row = q(
        "SELECT l.id, l.at, c.partner_id FROM leads l JOIN customers c ON c.id = l.customer_id \
         WHERE l.workspace_id = $1 AND c.program_id = $2 AND c.external_id = $3 AND l.event_name = $4",
    )
    .bind(ws)
    .bind(program_id)
    .bind(customer_ref)
    .bind(event_name)
    .fetch_optional(&mut tx.conn)
    .await?;
    let lead = match row {
        Some(r) => json!({ "id": r.try_get::<String>(0)?, "customer_id": customer_ref,
                           "event_name": event_name,
                           "at": crate::util::format_time(r.try_get(1)?),
                           "partner_id": r.try_get::<Option<String>>(2)? }),
        None => Value::Null,
    };
    Ok(TrackReply {
        status: 200,
        body: json!({ "duplicate": true, "lead": lead }),
    })
}

async fn sale(tx: &mut Tx<'_>, ws: &str, input: &SaleInput) -> Result<TrackReply, Error> {
    let program = program_facts(tx, ws, &input.program_id).await?;
    let invoice_id = check_text("invoice_id", &input.invoice_id, 255)?;
    if input.amount_minor < 0 {
        return Err(Error::Invalid(format!(
            "amount_minor must be >= 0, got {}",
            input.amount_minor
        )));
    }
    let currency = check_currency(&input.currency)?;
    if currency != program.currency {
        return Err(Error::Invalid(format!(
            "currency {currency} differs from the program's {}",
            program.currency
        )));
    }
    if !first_provider_event(
        tx,
        ws,
        &program.id,
        input.provider.as_deref(),
        input.provider_event_id.as_deref(),
    )
    .await?
    {
        return existing_sale(tx, ws, &program.id, &invoice_id).await;
    }
    let seen = q("SELECT id FROM sales WHERE program_id = $1 AND invoice_id = $2")
        .bind(&program.id)
        .bind(&invoice_id)
        .fetch_optional(&mut tx.conn)
        .await?;
    if seen.is_some() {
        return existing_sale(tx, ws, &program.id, &invoice_id).await;
    }
    let now = now_ms();
    let facts = Facts {
        customer_ref: &input.customer_id,
        email: input.email.as_deref(),
        click_id: input.click_id.as_deref(),
        code: input.code.as_deref(),
        ip: input.ip.as_deref(),
        user_agent: input.user_agent.as_deref(),
        existing_customer: input.existing_customer.unwrap_or(false),
    };
    let (customer, ads) = attribute(tx, ws, &program, &facts, now).await?;
    let sale_id = new_id("sal");
    let promo_code_id = match customer.bound_by.as_deref() {
        Some("promo_code") => customer.code_id.clone(),
        _ => None,
    };
    q(
        "INSERT INTO sales (id, workspace_id, program_id, customer_id, invoice_id, amount_minor, currency, \
         partner_id, code_id, refunded_minor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)",
    )
    .bind(&sale_id)
    .bind(ws)
    .bind(&program.id)
    .bind(&customer.id)
    .bind(&invoice_id)
    .bind(input.amount_minor)
    .bind(&currency)
    .bind(&customer.partner_id)
    .bind(&promo_code_id)
    .bind(now)
    .execute(&mut tx.conn)
    .await?;
    let (flags, commissions) = flag_and_commission(
        tx,
        ws,
        &program,
        &customer,
        &input.customer_id,
        ads.as_deref(),
        Event {
            kind: "sale",
            id: &sale_id,
            amount_minor: input.amount_minor,
            at: now,
        },
    )
    .await?;
    let body = json!({
        "sale": { "id": sale_id, "customer_id": input.customer_id, "invoice_id": invoice_id,
                  "amount_minor": input.amount_minor, "currency": currency,
                  "partner_id": customer.partner_id, "at": crate::util::format_time(now) },
        "attribution": attribution_of(&customer),
        "fraud_flags": flags,
        "commissions": commissions,
    });
    crate::webhooks::enqueue(tx, ws, "sale.created", &body).await?;
    Ok(TrackReply { status: 201, body })
}

async fn existing_sale(
    tx: &mut Tx<'_>,
    ws: &str,
    program_id: &str,
    invoice_id: &str,
) -> Result<TrackReply, Error> {
    let row = q(
        "SELECT s.id, c.external_id, s.amount_minor, s.currency, s.partner_id, s.at, s.refunded_minor \
         FROM sales s JOIN customers c ON c.id = s.customer_id \
         WHERE s.workspace_id = $1 AND s.program_id = $2 AND s.invoice_id = $3",
    )
    .bind(ws)
    .bind(program_id)
    .bind(invoice_id)
    .fetch_optional(&mut tx.conn)
    .await?;
    let sale = match row {
        Some(r) => json!({
            "id": r.try_get::<String>(0)?, "customer_id": r.try_get::<String>(1)?,
            "invoice_id": invoice_id, "amount_minor": r.try_get::<i64>(2)?,
            "currency": r.try_get::<String>(3)?, "partner_id": r.try_get::<Option<String>>(4)?,
            "at": crate::util::format_time(r.try_get(5)?), "refunded_minor": r.try_get::<i64>(6)?,
        }),
        None => Value::Null,
    };
    Ok(TrackReply {
        status: 200,
        body: json!({ "duplicate": true, "sale": sale }),
    })
}

async fn refund(tx: &mut Tx<'_>, ws: &str, input: &RefundInput) -> Result<TrackReply, Error> {
    let program = program_facts(tx, ws, &input.program_id).await?;
    let refund_ref = check_text("refund_id", &input.refund_id, 255)?;
    if input.amount_minor <= 0 {
        return Err(Error::Invalid(format!(
            "amount_minor must be > 0, got {}",
            input.amount_minor
        )));
    }
    let row = q(
        "SELECT id, amount_minor, refunded_minor, currency FROM sales \
         WHERE workspace_id = $1 AND program_id = $2 AND invoice_id = $3",
    )
    .bind(ws)
    .bind(&program.id)
    .bind(&input.invoice_id)
    .fetch_optional(&mut tx.conn)
    .await?
    .ok_or_else(|| Error::NotFound(format!("sale with invoice_id {:?}", input.invoice_id)))?;
    let sale_id: String = row.try_get(0)?;
    let amount: i64 = row.try_get(1)?;
    let refunded: i64 = row.try_get(2)?;
    let currency: String = row.try_get(3)?;
    let seen = !first_provider_event(
        tx,
        ws,
        &program.id,
        input.provider.as_deref(),
        input.provider_event_id.as_deref(),
    )
    .await?;
    let existing = q("SELECT id, amount_minor FROM refunds WHERE sale_id = $1 AND refund_ref = $2")
        .bind(&sale_id)
        .bind(&refund_ref)
        .fetch_optional(&mut tx.conn)
        .await?;
    if seen || existing.is_some() {
        return Ok(TrackReply {
            status: 200,
            body: json!({ "duplicate": true, "refund": { "sale_id": sale_id, "refund_id": refund_ref,
                          "refunded_minor": refunded } }),
        });
    }
    if refunded + input.amount_minor > amount {
        return Err(Error::Invalid(format!(
            "refund of {} exceeds what is left of the sale ({})",
            input.amount_minor,
            amount - refunded
        )));
    }
    let now = now_ms();
    let refund_id = new_id("rfd");
    q(
        "INSERT INTO refunds (id, workspace_id, program_id, sale_id, refund_ref, amount_minor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&refund_id)
    .bind(ws)
    .bind(&program.id)
    .bind(&sale_id)
    .bind(&refund_ref)
    .bind(input.amount_minor)
    .bind(now)
    .execute(&mut tx.conn)
    .await?;
    q("UPDATE sales SET refunded_minor = refunded_minor + $1 WHERE id = $2")
        .bind(input.amount_minor)
        .bind(&sale_id)
        .execute(&mut tx.conn)
        .await?;
    let adjustments = crate::commissions::reverse_for_refund(
        tx,
        ws,
        &sale_id,
        &refund_id,
        amount,
        input.amount_minor,
        refunded + input.amount_minor == amount,
        &currency,
        now,
    )
    .await?;
    let body = json!({
        "refund": { "id": refund_id, "sale_id": sale_id, "refund_id": refund_ref,
                    "amount_minor": input.amount_minor, "at": crate::util::format_time(now) },
        "commissions": adjustments,
    });
    crate::webhooks::enqueue(tx, ws, "refund.created", &body).await?;
    Ok(TrackReply { status: 201, body })
}
