"""PDF documents: the mediation agreement (one copy per party) and the petition notice.

reportlab's built-in CID font STSong-Light draws Chinese without a font file or a network.
The text is built first (`*_lines`) so that what a document says is testable without a PDF
reader.
"""

from __future__ import annotations

import io
import textwrap

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from .models import COURT_CONFIRMATION_DAYS, MediationParty, MediationRecord, Petition

FONT = "STSong-Light"
WRAP = 34  # CJK characters per line at 12 pt on A4 with 2 cm margins


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render(title: str, lines: list[str], *, compress: bool = True) -> bytes:
    """A4 pages with the title centred and the lines below, wrapped and paginated."""
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1 if compress else 0)
    pdf.setTitle(title)
    width, height = A4
    margin = 56

    def new_page() -> float:
        pdf.setFont(font, 18)
        pdf.drawCentredString(width / 2, height - margin, title)
        pdf.setFont(font, 12)
        return height - margin - 36

    y = new_page()
    for line in lines:
        for part in textwrap.wrap(line, WRAP) or [""]:
            if y < margin:
                pdf.showPage()
                y = new_page()
            pdf.drawString(margin, y, part)
            y -= 20
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _date(value) -> str:
    return value.strftime("%Y年%m月%d日") if value else "—"


def agreement_lines(record: MediationRecord, party: MediationParty) -> list[str]:
    """人民调解协议书 (人民调解法 art. 29): the parties, the facts, the disputed points, the
    terms, how and by when they are performed, the signatures, and the court reminder.
    Personal data on the copy: each party's name and phone, as the agreement requires them
    to be identified; ID numbers are shown masked but for the copy's own party."""
    from fengqiao.core.masking import mask_id_number

    lines = [
        _("Case number: %(number)s") % {"number": record.case.number},
        _("Copy for: %(role)s %(name)s") % {"role": party.get_role_display(), "name": party.name},
        "",
        _("Parties"),
    ]
    for each in record.parties.all():
        id_number = each.id_number if each.pk == party.pk else mask_id_number(each.id_number)
        lines.append(f"{each.get_role_display()}：{each.name}  {each.phone}  {id_number}".rstrip())
    lines += [
        "",
        _("Facts: %(text)s") % {"text": record.facts},
        _("Disputed points: %(text)s") % {"text": record.disputed_points},
        _("Agreed terms: %(text)s") % {"text": record.terms},
        _("How it is performed: %(text)s") % {"text": record.performance_method or "—"},
        _("To be performed by: %(date)s") % {"date": _date(record.performance_due)},
        "",
        _("Mediators: %(names)s") % {"names": "、".join(str(m) for m in record.mediators.all())},
        _("Mediation: %(kind)s") % {"kind": _("public") if record.is_public else _("private")},
        "",
        _("Signatures"),
    ]
    for each in record.parties.all():
        signed = timezone.localtime(each.signed_at).strftime("%Y-%m-%d %H:%M") if each.signed_at else "—"
        lines.append(_("%(name)s signed at %(time)s") % {"name": each.name, "time": signed})
    lines += [
        "",
        _(
            "This agreement binds the parties (人民调解法 art. 31). The parties may jointly ask the "
            "people's court to confirm it within %(days)s days of its taking effect, i.e. by %(date)s "
            "(art. 33)."
        )
        % {"days": COURT_CONFIRMATION_DAYS, "date": _date(record.court_confirmation_until)},
        _("One copy for each party and one for the mediation committee."),
    ]
    return lines


def agreement_pdf(record: MediationRecord, party: MediationParty, *, compress: bool = True) -> bytes:
    return render(_("People's mediation agreement"), agreement_lines(record, party), compress=compress)


def notice_lines(petition: Petition) -> list[str]:
    accepted = petition.status not in ("registered", "not_accepted")
    lines = [
        _("Petition number: %(number)s") % {"number": petition.number},
        _("To: %(name)s") % {"name": petition.petitioner_name},
        _("Received on: %(date)s") % {"date": _date(petition.received_on)},
        _("Decided on: %(date)s") % {"date": _date(petition.decided_on)},
        _("Decision: %(decision)s") % {"decision": _("accepted") if accepted else _("not accepted")},
        "",
        petition.decision_notice,
    ]
    if accepted and petition.handling_due:
        lines.append(
            _("The petition will be handled by %(date)s (60 days from acceptance).")
            % {"date": _date(petition.handling_due)}
        )
    return lines


def notice_pdf(petition: Petition, *, compress: bool = True) -> bytes:
    return render(_("Notice on a petition"), notice_lines(petition), compress=compress)
