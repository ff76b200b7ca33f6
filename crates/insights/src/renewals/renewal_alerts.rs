//! The renewal alerts: each renewal's owner at 90, 60 and 30 days, the CRO and VP CS for an
//! at-risk renewal at 60, each once, in-app and by e-mail through the outbox, and the
//! `renewal.at_risk` webhook event.

use super::*;

impl RenewalService {
    /// Sends the alerts due on `as_of`: each renewal's owner at 90, 60 and 30 days, and at 60
    /// days every Yellow or Red renewal to the CRO and the VP CS. Each (renewal, mark, person)
    /// once ever, so a rerun sends nothing new.
    pub async fn run_alerts(&self, as_of: NaiveDate) -> AppResult<AlertReport> {
        let renewals = self.pipeline_of(as_of, rules::WINDOW_DAYS, None).await?;
        let now = self.clock.now();
        let mut report = AlertReport {
            renewals: renewals.len(),
            alerts: 0,
        };
        let transaction = self.db.begin().await?;
        let escalation = users_with_roles(&transaction, &[Role::Cro, Role::VpCs]).await?;
        for renewal in &renewals {
            let Some(mark) = rules::mark_reached(renewal.days_to_renewal) else {
                continue;
            };
            if let Some(owner) = renewal.owner_id {
                if let Some(person) = user::Entity::find_by_id(owner).one(&transaction).await? {
                    if send_alert(&transaction, renewal, mark, &person, as_of, now).await? {
                        report.alerts += 1;
                    }
                }
            }
            if mark == rules::AT_RISK_MARK && renewal.status.at_risk() {
                let mut flagged = false;
                for person in &escalation {
                    if send_alert(&transaction, renewal, mark, person, as_of, now).await? {
                        report.alerts += 1;
                        flagged = true;
                    }
                }
                if flagged {
                    emit_at_risk(&transaction, renewal, now).await?;
                }
            }
        }
        transaction.commit().await?;
        Ok(report)
    }
}

async fn users_with_roles<C: ConnectionTrait>(
    connection: &C,
    roles: &[Role],
) -> AppResult<Vec<user::Model>> {
    // People only: a service account holding one of the roles reads no alerts and has no inbox.
    Ok(user::Entity::find()
        .filter(user::Column::Role.is_in(roles.iter().map(Role::as_str)))
        .filter(user::Column::Kind.eq(crate::auth::UserKind::Person.as_str()))
        .order_by_asc(user::Column::Id)
        .all(connection)
        .await?)
}

/// An at-risk renewal set within 60 days goes to the CRO and the VP CS as its 60-day alert.
pub(super) async fn flag_at_risk<C: ConnectionTrait>(
    connection: &C,
    renewal: &Renewal,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut flagged = false;
    for person in users_with_roles(connection, &[Role::Cro, Role::VpCs]).await? {
        flagged |= send_alert(
            connection,
            renewal,
            rules::AT_RISK_MARK,
            &person,
            today,
            now,
        )
        .await?;
    }
    if flagged {
        emit_at_risk(connection, renewal, now).await?;
    }
    Ok(())
}

/// The `renewal.at_risk` webhook event: sent when the CRO and VP CS are first flagged (the
/// alerts' unique keys make that once per renewal).
async fn emit_at_risk<C: ConnectionTrait>(
    connection: &C,
    renewal: &Renewal,
    now: DateTime<Utc>,
) -> AppResult<()> {
    crate::webhooks::emit(
        connection,
        now,
        crate::webhooks::EventType::RenewalAtRisk,
        serde_json::json!({
            "contractId": renewal.contract_id,
            "contractNumber": renewal.contract_number,
            "customerId": renewal.customer_id,
            "customerName": renewal.customer_name,
            "status": renewal.status.as_str(),
            "reason": renewal.reason,
            "renewalDate": renewal.renewal_date,
            "daysToRenewal": renewal.days_to_renewal,
            "arr": renewal.arr,
            "ownerId": renewal.owner_id,
        }),
    )
    .await
}

/// Records the alert and, when it is new, raises it in-app and e-mails it; false when sent before.
async fn send_alert<C: ConnectionTrait>(
    connection: &C,
    renewal: &Renewal,
    mark: i64,
    person: &user::Model,
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mark_days = i32::try_from(mark).unwrap_or(i32::MAX);
    let inserted = renewal_alert::Entity::insert(renewal_alert::ActiveModel {
        contract_id: Set(renewal.contract_id),
        mark_days: Set(mark_days),
        recipient_id: Set(person.id),
        status: Set(renewal.status.as_str().into()),
        business_date: Set(as_of),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            renewal_alert::Column::ContractId,
            renewal_alert::Column::MarkDays,
            renewal_alert::Column::RecipientId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(connection)
    .await?;
    if inserted != 1 {
        return Ok(false);
    }
    let arr = renewal.arr_functional.unwrap_or(renewal.arr);
    let title = format!(
        "{} renews in {} days ({:?})",
        renewal.customer_name, renewal.days_to_renewal, renewal.status
    );
    let body = format!(
        "Contract {} for {} renews on {} with ARR {}. Status {:?}{}. Owner: {}. Last contact: {}.",
        renewal.contract_number,
        renewal.customer_name,
        renewal.renewal_date,
        arr,
        renewal.status,
        renewal
            .reason
            .as_deref()
            .map(|reason| format!(" — {reason}"))
            .unwrap_or_default(),
        renewal.owner_name.as_deref().unwrap_or("none"),
        renewal
            .last_contact_on
            .map(|day| day.to_string())
            .unwrap_or_else(|| "none logged".into()),
    );
    let key = format!("renewal:{}:{mark}:{}", renewal.contract_id, person.id);
    alerts::raise(
        connection,
        now,
        NewAlert {
            user_id: person.id,
            kind: "renewal",
            dedupe_key: key.clone(),
            title: title.clone(),
            body: body.clone(),
            link: Some(format!("/renewals?contract={}", renewal.contract_id)),
        },
    )
    .await?;
    enqueue(
        connection,
        now,
        NewMessage {
            kind: "renewal_alert",
            dedupe_key: format!("email:{key}"),
            recipient: person.email.clone(),
            subject: format!("[{mark}-day renewal] {title}"),
            body,
            attachment: None,
        },
    )
    .await?;
    Ok(true)
}
