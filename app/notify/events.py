"""The events guardians (and staff) are told about, each with its inbox text and WeChat template.

A later feature adds its event with `register(EventType(...))` next to the code that raises it,
then calls `notify.service.enqueue(...)` (or `notify_guardians(...)`) in the same transaction.

Template ids differ per mini-program (chosen in the WeChat console), so they come from settings
(`WECHAT_TEMPLATES`, a JSON object event → template id); the field mapping below matches the
public-library templates we chose. Without a configured id, an event reaches the inbox only.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EventType:
    key: str
    title: str                      # inbox title, str.format(**data)
    body: str                       # inbox body, str.format(**data)
    fields: dict[str, str] = field(default_factory=dict)  # WeChat key → str.format(**data)
    page: str = "pages/inbox/index"  # where a tap on the WeChat message opens the mini-program
    long_term: bool = True           # education qualifies for long-term subscriptions
    # About the child's safety: sent through WeChat even to a guardian who withdrew (or never gave) consent to
    # notifications (app/privacy), since a guardian must hear at once who took their child, that nobody came,
    # that the child is missing or hurt; the rules tell them so.
    safety: bool = False


EVENTS: dict[str, EventType] = {}


def register(event: EventType) -> EventType:
    if event.key in EVENTS and EVENTS[event.key] != event:
        raise ValueError(f"event {event.key} registered twice")
    EVENTS[event.key] = event
    return event


APPLICATION_DECISION = register(EventType(
    "application_decision", "课后服务申请{decision}", "{student_name}的{term_name}课后服务申请{decision}。{comment}",
    {"thing1": "{student_name}", "phrase2": "{decision}", "thing3": "{term_name}"},
    "pages/application/index?student_id={student_id}"))
CLUB_RESULT = register(EventType(
    "club_result", "社团选课结果", "{student_name}：{club_name}{result}。",
    {"thing1": "{student_name}", "thing2": "{club_name}", "phrase3": "{result}"},
    "pages/clubs/index?student_id={student_id}"))
ARRIVED = register(EventType(
    "arrived", "已到托管", "{student_name}已于 {time} 到达{place}，由{teacher_name}看护。",
    {"thing1": "{student_name}", "time2": "{time}", "thing3": "{place}"}))
ABSENT = register(EventType(
    "absent", "托管未到", "{student_name}今天应到{place}，{time} 仍未到，也没有请假。请尽快联系班主任。",
    {"thing1": "{student_name}", "time2": "{time}", "thing3": "{place}"}, safety=True))
PICKED_UP = register(EventType(
    "picked_up", "孩子已被接走", "{student_name}已由 {adult_name}（{relation}）接走 {time}，{teacher_name}确认。",
    {"thing1": "{student_name}", "name2": "{adult_name}", "time3": "{time}", "thing4": "{teacher_name}确认"},
    safety=True))
LATE_PICKUP = register(EventType(
    "late_pickup", "接孩子超时", "{student_name}的放学时间已过 {minutes} 分钟，孩子正由{keeper}看护，请尽快来校。",
    {"thing1": "{student_name}", "time2": "{time}", "thing3": "由{keeper}看护"}, safety=True))
INCIDENT = register(EventType(
    "incident", "突发情况通知", "{student_name}：{summary}（{time}）。学校已处理：{actions}",
    {"thing1": "{student_name}", "thing2": "{summary}", "time3": "{time}"}, safety=True))
LEAVE_DECISION = register(EventType(
    "leave_decision", "请假{decision}", "{student_name} {dates} 的请假{decision}。{comment}",
    {"thing1": "{student_name}", "phrase2": "{decision}", "thing3": "{dates}"}))
# For staff (inbox): a leave asked for today after the cutoff reaches the teachers of the child's session
# at once; the class head hears of every new request and of every cancellation.
LEAVE_URGENT = register(EventType(
    "leave_urgent", "紧急请假", "{student_name}（{class_name}）今天{kind_label}{pickup}：{reason}。请在{place}点名时留意。",
    {"thing1": "{student_name}", "phrase2": "{kind_label}", "thing3": "{reason}"}))
LEAVE_REQUESTED = register(EventType(
    "leave_requested", "新的请假申请", "{student_name}（{class_name}）{dates} {kind_label}{pickup}：{reason}。请及时处理。",
    {"thing1": "{student_name}", "phrase2": "{kind_label}", "thing3": "{dates}"}))
LEAVE_CANCELLED = register(EventType(
    "leave_cancelled", "请假已撤销", "{student_name}（{class_name}）{dates} 的{kind_label}已由家长撤销，孩子照常参加课后服务。",
    {"thing1": "{student_name}", "phrase2": "已撤销", "thing3": "{dates}"}))
