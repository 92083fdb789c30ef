"""The kinds of `ReturnEvent`, with the words the pages show for each.

Plain constants rather than field choices, so adding a kind needs no migration.
"""

ISSUED = "issued"
REFRESHED = "refreshed"  # a re-issue changed spend or target on open lines
LINE_ADDED = "line_added"  # a re-issue added a newly qualifying line
STARTED = "started"
SUBMITTED = "submitted"
RETURNED = "returned"  # sent back for amendment
APPROVED = "approved"
REOPENED = "reopened"  # an administrator sent an approved return back
NOT_REQUIRED = "not_required"
REQUIRED_AGAIN = "required_again"
EXTENDED = "extended"
LINE_EXCLUDED = "line_excluded"
LINE_INCLUDED = "line_included"
REMINDER = "reminder"
EMAIL_SENT_AGAIN = "email_sent_again"  # the team sent a failed email again
QUERY_RAISED = "query_raised"
QUERY_ANSWERED = "query_answered"
CREDITS_CORRECTED = "credits_corrected"
EVIDENCE_ERASED = "evidence_erased"
CASE_STUDY_ERASED = "case_study_erased"
CASE_STUDY_PUBLISHED = "case_study_published"
UPLOADED = "uploaded"  # figures applied from a spreadsheet
EVIDENCE_ADDED = "evidence_added"
CASE_STUDY_ADDED = "case_study_added"
CASE_STUDY_CHANGED = "case_study_changed"
CASE_STUDY_REQUESTED = "case_study_requested"  # publication requested
EVIDENCE_MEMBER_APPROVED = "evidence_member_approved"  # its title shown to the member
EVIDENCE_MEMBER_WITHDRAWN = "evidence_member_withdrawn"
MEMBER_CONFIRMED = "member_confirmed"  # a member viewer confirmed a line's figures
MEMBER_DISPUTED = "member_disputed"
MEMBER_DISPUTE_ANSWERED = "member_dispute_answered"
FLAG_CHECKED = "flag_checked"  # the team checked a flag on a line (issue 23)
# support app: a supplier's request of the team, and the team's answer or decision
REQUEST_MADE = "request_made"
REQUEST_DECIDED = "request_decided"
# Of a reporting year (YearEvent), not of a return:
REPORT_PUBLISHED = "report_published"
REPORT_UNPUBLISHED = "report_unpublished"
ISSUE_CONFIRMED = "issue_confirmed"  # "issue now" despite the warnings

LABELS = {
    ISSUED: "Return issued",
    REFRESHED: "Spend and target updated",
    LINE_ADDED: "Contract added",
    STARTED: "Started",
    SUBMITTED: "Submitted",
    RETURNED: "Sent back for amendment",
    APPROVED: "Approved",
    REOPENED: "Reopened by an administrator",
    NOT_REQUIRED: "Marked not required",
    REQUIRED_AGAIN: "Required again",
    EXTENDED: "Deadline extended",
    LINE_EXCLUDED: "Contract excluded",
    LINE_INCLUDED: "Contract included again",
    REMINDER: "Reminder",
    EMAIL_SENT_AGAIN: "Failed email sent again",
    QUERY_RAISED: "Query raised",
    QUERY_ANSWERED: "Query answered",
    CREDITS_CORRECTED: "Credit value corrected",
    EVIDENCE_ERASED: "Evidence erased",
    CASE_STUDY_ERASED: "Case study text erased",
    CASE_STUDY_PUBLISHED: "Case study approved for publication",
    UPLOADED: "Figures uploaded from a spreadsheet",
    EVIDENCE_ADDED: "Evidence uploaded",
    CASE_STUDY_ADDED: "Case study added",
    CASE_STUDY_CHANGED: "Case study changed",
    CASE_STUDY_REQUESTED: "Case study publication requested",
    EVIDENCE_MEMBER_APPROVED: "Evidence title shown to the member",
    EVIDENCE_MEMBER_WITHDRAWN: "Evidence title no longer shown to the member",
    MEMBER_CONFIRMED: "Figures confirmed by the member",
    MEMBER_DISPUTED: "Figures disputed by the member",
    MEMBER_DISPUTE_ANSWERED: "Member's dispute answered",
    FLAG_CHECKED: "Flag checked by the team",
    REQUEST_MADE: "Request to the team",
    REQUEST_DECIDED: "Request decided by the team",
    REPORT_PUBLISHED: "Impact report published",
    REPORT_UNPUBLISHED: "Impact report taken down",
    ISSUE_CONFIRMED: "Issue now confirmed despite the warnings",
}


def label(kind: str) -> str:
    return LABELS.get(kind, kind.replace("_", " ").capitalize())
