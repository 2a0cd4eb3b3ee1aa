"""Every tracking event smtpops emits: its spec name, its properties and its source.

The names and property names are the spec's (section 12, "User Behavior Tracking"). One
record per name; ``smtpops events --list`` prints this table and the README documents it.
"""

from __future__ import annotations

from smtpops.records import record

GIT = "git history"
TEST_LOG = "the connection test log (.smtpops/events.jsonl)"
AGENT = "the agent (its events.jsonl)"
UI = "the SMTP Settings page (.smtpops/events.jsonl)"


@record(frozen=True, kw_only=True)
class EventSpec:
    name: str
    category: str
    source: str
    meaning: str
    properties: tuple[str, ...]


def _spec(name: str, category: str, source: str, meaning: str, *props: str) -> EventSpec:
    return EventSpec(name=name, category=category, source=source, meaning=meaning, properties=props)


_CONFIG = ("user_id", "config_type", "provider", "security_protocol", "configuration_id")
_TEST = ("test_duration", "error_type", "retry_attempts", "configuration_id")
_DEPLOY = ("config_version", "deployment_method", "configuration_id", "user_id")

EVENTS: dict[str, EventSpec] = {
    e.name: e
    for e in (
        _spec(
            "smtp_config_created",
            "Configuration Management",
            GIT,
            "a commit added a config file",
            *_CONFIG,
        ),
        _spec(
            "smtp_config_modified",
            "Configuration Management",
            GIT,
            "a commit changed a config file",
            *_CONFIG,
            "changed_fields",
        ),
        _spec(
            "smtp_config_activated",
            "Configuration Management",
            GIT,
            "a deploy, promote or rollback commit made a config the active one",
            *_CONFIG,
        ),
        _spec(
            "tls_enabled",
            "Security Monitoring",
            GIT,
            "a commit set tls to STARTTLS or SSL/TLS",
            "encryption_type",
            "configuration_id",
        ),
        _spec(
            "auth_protocol_selected",
            "Security Monitoring",
            GIT,
            "a commit set or changed auth_protocol",
            "auth_method",
            "configuration_id",
        ),
        _spec(
            "certificate_validation_enabled",
            "Security Monitoring",
            GIT,
            "a commit set verify_certificate to true",
            "validation_status",
            "configuration_id",
        ),
        _spec(
            "it_approval_requested",
            "Collaboration Tracking",
            GIT,
            "a commit changed a security-sensitive field, which the pull request review "
            "asks IT to approve (the web page also emits it when a save needs approval)",
            "approval_type",
            "configuration_id",
            "changed_fields",
        ),
        _spec(
            "config_deployment_success",
            "Configuration Effectiveness",
            GIT,
            "an activation commit with a passing connection test",
            *_DEPLOY,
        ),
        _spec(
            "config_rollback_initiated",
            "Configuration Effectiveness",
            GIT,
            "a rollback commit",
            *_DEPLOY,
            "rollback_reason",
        ),
        _spec(
            "connection_test_initiated",
            "Testing & Validation",
            TEST_LOG,
            "a connection test started",
            "configuration_id",
        ),
        _spec(
            "connection_test_success",
            "Testing & Validation",
            TEST_LOG,
            "a connection test passed",
            *_TEST,
        ),
        _spec(
            "connection_test_failure",
            "Testing & Validation",
            TEST_LOG,
            "a connection test failed; error_type names the failure class",
            *_TEST,
        ),
        _spec(
            "timeout_events",
            "Resource Utilization",
            TEST_LOG,
            "a connection test ended in a timeout",
            "timeout_duration",
            "configuration_id",
        ),
        _spec(
            "authentication_failure",
            "Security Events",
            TEST_LOG,
            "the server refused the sign-in during a test or a probe",
            "failure_type",
            "security_protocol",
            "configuration_id",
        ),
        _spec(
            "tls_handshake_failure",
            "Security Events",
            TEST_LOG,
            "the TLS handshake or the certificate check failed during a test or a probe",
            "failure_type",
            "security_protocol",
            "configuration_id",
        ),
        _spec(
            "email_sent",
            "Delivery Performance",
            AGENT,
            "the CRM handed a message to the relay (Postfix cleanup accepted it)",
            "recipient_type",
            "delivery_time",
            "configuration_id",
        ),
        _spec(
            "email_delivered",
            "Delivery Performance",
            AGENT,
            "the provider accepted the message (Postfix status=sent)",
            "recipient_type",
            "delivery_time",
            "configuration_id",
        ),
        _spec(
            "email_bounced",
            "Delivery Performance",
            AGENT,
            "the provider refused the message for good (Postfix status=bounced)",
            "failure_reason",
            "configuration_id",
        ),
        _spec(
            "email_failed",
            "Delivery Performance",
            AGENT,
            "delivery failed for now and will be retried (Postfix status=deferred)",
            "failure_reason",
            "retry_count",
            "configuration_id",
        ),
        _spec(
            "retry_attempts_exhausted",
            "Resource Utilization",
            AGENT,
            "the relay gave up on a message after its queue lifetime (status=expired)",
            "failure_reason",
            "configuration_id",
        ),
        _spec(
            "config_apply_refused",
            "Configuration Effectiveness (smtpops)",
            AGENT,
            "the agent refused git's active config: no smtpops deploy with a passing test "
            "made it active (not a spec name: smtpops' own)",
            "configuration_id",
            "config_version",
            "reason",
        ),
        _spec(
            "smtp_settings_accessed",
            "Configuration Usage",
            UI,
            "the SMTP Settings page was opened",
            "access_frequency",
        ),
        _spec(
            "provider_template_selected",
            "Configuration Usage",
            UI,
            "a provider was picked in the page's dropdown",
            "template_type",
        ),
        _spec(
            "guided_setup_completed",
            "Configuration Usage",
            UI,
            "a new config was created from a template",
            "template_type",
            "completion_time",
        ),
        _spec(
            "error_message_displayed",
            "User Experience",
            UI,
            "the page showed a validation or test error",
            "error_category",
        ),
    )
}
