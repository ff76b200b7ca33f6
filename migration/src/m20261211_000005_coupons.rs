//! Coupons (issue 20): a code that gives a deal's subscription lines a recurring discount (a
//! percent or an amount off each period, for some periods or all), usable until a date and up to
//! a number of redemptions. A redemption is counted when the deal it is on is approved, by a
//! guarded increment, so two approvals racing for the last redemption cannot both have it; the
//! redemption row says which deal and contract took it.

use crate::columns::*;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261211_000005_coupons"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("coupons")
                    .col(id("id"))
                    .col(code("code", 40))
                    .col(text("label"))
                    .col(text_null("percent"))
                    .col(big_null("amount_minor"))
                    .col(code_null("currency", 3))
                    .col(big_null("periods"))
                    .col(date_null("expires_on"))
                    .col(big_null("redemption_limit"))
                    .col(int("redeemed"))
                    .col(big("created_by"))
                    .col(instant("created_at"))
                    .foreign_key(&mut fk("coupons", "created_by", "users", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("coupons", &["code"]))
            .await?;
        manager
            .create_table(
                table("coupon_redemptions")
                    .col(id("id"))
                    .col(big("coupon_id"))
                    .col(big("deal_id"))
                    .col(big("contract_id"))
                    .col(big("redeemed_by"))
                    .col(instant("redeemed_at"))
                    .foreign_key(&mut fk("coupon_redemptions", "coupon_id", "coupons", "id"))
                    .foreign_key(&mut fk("coupon_redemptions", "deal_id", "deals", "id"))
                    .foreign_key(&mut fk(
                        "coupon_redemptions",
                        "contract_id",
                        "contracts",
                        "id",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "coupon_redemptions",
                &["coupon_id", "deal_id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["coupon_redemptions", "coupons"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
