"""Letters that say what is true: the consent-withdrawal answer explains that cookies and the
e-mails people sign up for rely on consent, and links the pages where it is withdrawn; the
portability answer says why the right does not apply. A letter the DPO has edited is left as
it is. The notice sent before a restriction is lifted (Article 18(3)) is seeded for the DPO to
edit like the others. And an objection names the purposes objected to."""

from django.db import migrations, models

OLD = {
    "portability_not_applicable": (
        "The right to data portability applies to data we process on the basis of your "
        "consent or of a contract with you. We process your data on the basis of our "
        "legitimate interests and our contract with your employer, so the right does not "
        "apply. You can still ask for a copy of your data with an access request."
    ),
    "consent_withdrawal_not_applicable": (
        "We do not rely on your consent to process your personal data: we process it on "
        "the basis of our legitimate interests and our contract with your employer, so "
        "there is no consent to withdraw. You can object to processing on legitimate "
        "interests, or to direct marketing, at any time."
    ),
}
NEW = {
    "portability_not_applicable": (
        "The right to data portability covers personal data you gave us that we process "
        "by automated means on the basis of your consent or of a contract with you. Your "
        "account, usage and support data are processed under our contract with your "
        "employer (not a contract with you) and on our legitimate interests, so the "
        "right does not apply to them. The only data we hold on your consent are your "
        "cookie choices and your e-mail preferences, which you can see and change "
        "yourself at any time at {cookies_url} and {communications_url}. You can still "
        "ask for a copy of all your data with an access request: we send it as "
        "machine-readable CSV files."
    ),
    "consent_withdrawal_not_applicable": (
        "We rely on your consent for two things only, and you can withdraw it yourself "
        "at any time:\n\n- Cookies: performance and functionality cookies are set only "
        "if you allow them. Change or withdraw your choice on our cookie settings page: "
        "{cookies_url}\n- E-mails you signed up for (newsletters, webinar invitations, "
        "product news): switch any of them off on your e-mail preferences page, "
        "{communications_url}, or with the unsubscribe link in each "
        "e-mail.\n\nWithdrawing consent does not affect what we did before you withdrew "
        "it. Everything else we do with your data relies on our contract with your "
        "employer, our legitimate interests or a legal obligation, not on consent; you "
        "can object to the uses that rely on our legitimate interests, or to direct "
        "marketing, at any time."
    ),
}
NOTICE_KEY = "restriction_lift_notice"
NOTICE_TITLE = "We will lift the restriction on your data: request {reference}"
NOTICE_BODY = (
    "Hello {name},\n\nAs the law requires, we are telling you before we lift the "
    "restriction of the processing of your data that we put in place for your request "
    "{reference}. The reason: {reason}\n\nOnce it is lifted we use your data again as "
    "our privacy notice describes, including in the usage reports we give your employer, "
    "our aggregated figures and product analytics. If you disagree, reply on your "
    "request's page: {status_url}\n\nYou also have the right to complain to "
    "{ico}.\n\n{dpo_signature}"
)


def forwards(apps, schema_editor):
    LetterTemplate = apps.get_model("dsar", "LetterTemplate")
    for key, old_body in OLD.items():
        LetterTemplate.objects.filter(key=key, body=old_body).update(body=NEW[key])
    LetterTemplate.objects.get_or_create(
        key=NOTICE_KEY, defaults={"title": NOTICE_TITLE, "body": NOTICE_BODY}
    )


def backwards(apps, schema_editor):
    LetterTemplate = apps.get_model("dsar", "LetterTemplate")
    for key, new_body in NEW.items():
        LetterTemplate.objects.filter(key=key, body=new_body).update(body=OLD[key])
    LetterTemplate.objects.filter(key=NOTICE_KEY, body=NOTICE_BODY).delete()


class Migration(migrations.Migration):
    dependencies = [("dsar", "0006_complaint_acknowledgement_and_outcome_letters")]

    operations = [
        migrations.AddField(
            model_name="rightsrequest",
            name="objection_purposes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(forwards, backwards),
    ]
