"""Every text of the OpenAPI document, for ``makemessages`` (written by ``make openapi``;
do not edit). The Chinese is in the .po; :mod:`rongxin.config.openapi` applies it."""

# ruff: noqa: E501

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("0 … three times the seats."),
    gettext_noop(
        "1 to 1,000 credential tokens. A token repeated in the batch is checked and recorded once (each position still gets its answer); the distinct tokens count against the rate limit."
    ),
    gettext_noop("1 to 30; 7 when left out."),
    gettext_noop("1 to 4; a quarter that has ended or the current one."),
    gettext_noop("1 to 5."),
    gettext_noop("1 to 5000."),
    gettext_noop("1, 2, 3, 4, 6 or 12."),
    gettext_noop("A budget line code."),
    gettext_noop("A canteen administrator sets how many canteens to open in ``year``"),
    gettext_noop("A canteen administrator sets how many canteens to open in ``year``."),
    gettext_noop("A canteen administrator sets the coverage target (percent of villages)"),
    gettext_noop("A canteen administrator sets the coverage target (percent of villages)."),
    gettext_noop("A canteen site (venue) of the village."),
    gettext_noop("A canteen team of the village or its town."),
    gettext_noop(
        "A certificate as its volunteer sees it: the profile's summary and who it names, the\nissuing team, and the public verification link that its QR code encodes."
    ),
    gettext_noop("A county leader."),
    gettext_noop("A credit file chosen from ``/subjects/search`` (instead of ``donor_identifier``)."),
    gettext_noop("A day of the week checked for meal days (default: last week)."),
    gettext_noop("A display name, or the system."),
    gettext_noop("A draft activity of a team you organise for"),
    gettext_noop("A draft activity of a team you organise for. Times need a time zone."),
    gettext_noop("A full ID number (person) or USCC (organisation) of a credit file bearing ``donor_name``."),
    gettext_noop("A fund with its trial balance from the journal lines (debits equal credits)"),
    gettext_noop("A fund with its trial balance from the journal lines (debits equal credits). Audited."),
    gettext_noop("A fund's quarterly statement"),
    gettext_noop(
        "A fund's quarterly statement: balances, income and spending by account, the county fund's\nbudget lines, the quarter's donations (anonymous donors as 爱心人士（匿名）)."
    ),
    gettext_noop("A leader or administrator of the team accepts or declines an application"),
    gettext_noop("A leader or administrator of the team accepts or declines an application."),
    gettext_noop(
        "A lecture administrator adds a speaker (only heads have a quota; an account or credit\nfile belongs to one speaker: 409 otherwise)."
    ),
    gettext_noop(
        "A lecture administrator adds a speaker (only heads have a quota; an account or credit file belongs to one speaker: 409 otherwise)"
    ),
    gettext_noop("A lecture administrator changes a speaker"),
    gettext_noop("A lecture administrator changes a speaker; fields left out stay as they are."),
    gettext_noop("A lecture administrator ends a link early, with a reason"),
    gettext_noop("A lecture administrator ends a link early, with a reason."),
    gettext_noop(
        "A lecture administrator links a county leader to a town, a village or community of it and\nan enterprise for a term (409 when the leader already has a link in part of the term)."
    ),
    gettext_noop(
        "A lecture administrator links a county leader to a town, a village or community of it and an enterprise for a term (409 when the leader already has a link in part of the term)"
    ),
    gettext_noop("A lecture administrator sets the quota from the first day of a coming period on"),
    gettext_noop("A lecture administrator sets the quota from the first day of a coming period on."),
    gettext_noop(
        "A lecture administrator, or the town officer over the team's region, sets a lecture\nteam's brand and audience."
    ),
    gettext_noop(
        "A lecture administrator, or the town officer over the team's region, sets a lecture team's brand and audience"
    ),
    gettext_noop("A meeting's public list during publicity and after"),
    gettext_noop(
        "A meeting's public list during publicity and after: name, village, category and reasons\n(never an ID number or a score). No sign-in; 404 before publicity; 429 when asked too often."
    ),
    gettext_noop("A project"),
    gettext_noop("A project's number, e.g. XM2026-0001."),
    gettext_noop(
        "A project: facts, money, sponsors (anonymous ones masked, the title sponsor first), team,\nactivities with verified hours, milestones with photo ids, spendings, settlements and the\nacceptance. A draft is 404 except to its publishers and auditors, who also get the working\nside (pledges awaiting payment under real names, applications; the read is audited)."
    ),
    gettext_noop("A region code: speakers whose area lies in it."),
    gettext_noop(
        "A region with its children, its practice site and the venues in its subtree (region names\nand codes are public; any signed-in account may read them)."
    ),
    gettext_noop(
        "A region with its children, its practice site and the venues in its subtree (region names and codes are public; any signed-in account may read them)"
    ),
    gettext_noop("A reviewer approves or refuses a repair application (``decision``: approve | reject)"),
    gettext_noop("A reviewer approves or refuses a repair application (``decision``: approve | reject)."),
    gettext_noop("A reviewer upholds or revokes an objected entry (``decision``: uphold | revoke)"),
    gettext_noop("A reviewer upholds or revokes an objected entry (``decision``: uphold | revoke)."),
    gettext_noop("A saying of the published book."),
    gettext_noop("A service record with the fields of the national volunteer-record rules."),
    gettext_noop("A speaker's page"),
    gettext_noop("A speaker's page: their sessions (newest first), topics and ratings."),
    gettext_noop("A staff role code, e.g. town_officer."),
    gettext_noop(
        "A subject you speak for (your own file, your enterprise); the county centre: any credit file from /subjects/search."
    ),
    gettext_noop("A subject's file"),
    gettext_noop(
        "A subject's file. Staff must give a ``purpose`` (service, record, review, verification,\nsupervision); the read is audited and shown to the person."
    ),
    gettext_noop("A team"),
    gettext_noop(
        "A team administrator (county office, town or village officer) creates a team whose home\nregion lies in their grant."
    ),
    gettext_noop(
        "A team administrator (county office, town or village officer) creates a team whose home region lies in their grant"
    ),
    gettext_noop("A team administrator calls volunteers out in a region of their grant, with shifts"),
    gettext_noop("A team administrator calls volunteers out in a region of their grant, with shifts."),
    gettext_noop("A team administrator makes an accepted member a leader (``leader: false`` undoes it)"),
    gettext_noop("A team administrator makes an accepted member a leader (``leader: false`` undoes it)."),
    gettext_noop("A team you lead."),
    gettext_noop(
        "A team: leaders, member count and upcoming activities for anyone; applications, drafts\nand pending corrections for its organisers; your own membership."
    ),
    gettext_noop("A title sponsorship (the whole budget)."),
    gettext_noop("A town or village (ignored with ``order_id``)."),
    gettext_noop("A town or village whose meetings you run."),
    gettext_noop("A town's code."),
    gettext_noop("A town's id."),
    gettext_noop("A town's or village's region id (a town includes its villages)."),
    gettext_noop("A town's region code."),
    gettext_noop("A town's region code: allocations into that town."),
    gettext_noop("A town's region id: its own fund and its villages'."),
    gettext_noop("A venue in the order's town."),
    gettext_noop("A version's id; the current book by default."),
    gettext_noop("A village officer: the resident's subject id (from /subjects/search). A resident: empty."),
    gettext_noop("A village or community of that town."),
    gettext_noop("A village's id."),
    gettext_noop("AAA | AA | A | B | C | D"),
    gettext_noop("Above zero, at most two decimal places; never more than is on hand."),
    gettext_noop("Accept an order dispatched to you or to a team you lead"),
    gettext_noop(
        "Accept an order dispatched to you or to a team you lead. 409 if it is no longer awaiting\nan answer."
    ),
    gettext_noop(
        "Accept the completed work with the acceptance note and the beneficiaries' feedback (the\npublisher). 409 ``not_completed``."
    ),
    gettext_noop("Accept the completed work with the acceptance note and the beneficiaries' feedback (the publisher)"),
    gettext_noop("Accident insurance arranged (delivering needs it)."),
    gettext_noop("Active teams, filtered by home region (and everything under it), tier and kind"),
    gettext_noop("Active teams, filtered by home region (and everything under it), tier and kind."),
    gettext_noop("Activities in this village's town."),
    gettext_noop("Add a photo (JPEG, PNG or WebP by content, within the size limit) as evidence"),
    gettext_noop(
        "Add a photo (JPEG, PNG or WebP by content, within the size limit) as evidence; it is\nstored re-encoded without its metadata. 409 for the same photo twice or past the limit."
    ),
    gettext_noop("Add a saying at the end of a draft"),
    gettext_noop("Add a saying at the end of a draft; it gets the next key never used in any version."),
    gettext_noop("After ``starts_at``, within seven days."),
    gettext_noop("After the start, at most 12 hours later."),
    gettext_noop(
        "Allocate money of a line to a town or village credit fund of the county\n(``recipient_fund_id``: an entry in each fund) or to a canteen (``canteen_id``). 422\n``beyond_line``, ``insufficient_funds``, ``unknown_recipient``, ``period_closed``."
    ),
    gettext_noop(
        "Allocate money of a line to a town or village credit fund of the county (``recipient_fund_id``: an entry in each fund) or to a canteen (``canteen_id``)"
    ),
    gettext_noop("An accepted order this session holds."),
    gettext_noop("An account that already holds an incentive-provider grant."),
    gettext_noop("An active lecture team; or give speaker_id."),
    gettext_noop("An active speaker with an account; or give team_id."),
    gettext_noop("An activity of the picked team."),
    gettext_noop("An administrator (anywhere) or a town officer (their town) adds a canteen"),
    gettext_noop("An administrator (anywhere) or a town officer (their town) adds a canteen."),
    gettext_noop(
        "An organiser of the record's team accepts (a new record revision, credit adjusted) or\nrefuses (with a reason) a correction."
    ),
    gettext_noop(
        "An organiser of the record's team accepts (a new record revision, credit adjusted) or refuses (with a reason) a correction"
    ),
    gettext_noop("Answer an open objection"),
    gettext_noop("Answer an open objection; upheld withdraws the name."),
    gettext_noop(
        "Apply for a public project that is choosing its team (published or claimed), for a team you\nlead, with the team's plan. One application per team; 409 ``team_picked`` once a team is\npicked, ``already_applied``, ``not_now``."
    ),
    gettext_noop(
        "Apply for a public project that is choosing its team (published or claimed), for a team you lead, with the team's plan"
    ),
    gettext_noop("Apply to join a team"),
    gettext_noop("Apply to join a team; a leader or administrator of the team decides."),
    gettext_noop(
        "Approve a proposed offer, or reject it (suspend it once approved) with a reason (the\ncounty credit office). 409 ``already_decided`` to approve an approved offer."
    ),
    gettext_noop(
        "Approve a proposed offer, or reject it (suspend it once approved) with a reason (the county credit office)"
    ),
    gettext_noop("Approve or reject an entry awaiting review (``decision``: approve | reject)"),
    gettext_noop("Approve or reject an entry awaiting review (``decision``: approve | reject)."),
    gettext_noop("As the public sees them: 爱心人士（匿名） for a sponsor who asked."),
    gettext_noop("Ask the organiser to correct the time of one of your records"),
    gettext_noop("Ask the organiser to correct the time of one of your records."),
    gettext_noop("At most 60 days after preferred_from."),
    gettext_noop("At most 8 topics of at most 12 characters."),
    gettext_noop("At most an hour after the start."),
    gettext_noop("Beijing date of the last closed lecture up to `on`."),
    gettext_noop("Browse and filter the audit log (auditors), 100 per page"),
    gettext_noop("Browse and filter the audit log (auditors), 100 per page."),
    gettext_noop("Bytes per holder id (10)."),
    gettext_noop("Call-outs, filtered by status (public)"),
    gettext_noop("Call-outs, filtered by status (public)."),
    gettext_noop("Cancel a planned session, with a reason (409 once closed or cancelled)"),
    gettext_noop("Cancel a planned session, with a reason (409 once closed or cancelled)."),
    gettext_noop("Cancel a scheduled clinic, with a reason"),
    gettext_noop("Cancel a scheduled clinic, with a reason."),
    gettext_noop("Cancel an open order with a reason (its orderer, or whoever may dispatch it)"),
    gettext_noop("Cancel an open order with a reason (its orderer, or whoever may dispatch it)."),
    gettext_noop("Cancel the meeting before its awards are paid"),
    gettext_noop("Cancel the meeting before its awards are paid."),
    gettext_noop("Cancel with a reason"),
    gettext_noop("Cancel with a reason; everyone signed up, waiting or invited is notified."),
    gettext_noop("Cannot move once a listener has checked in."),
    gettext_noop("Canteens that recorded the day."),
    gettext_noop("Change a canteen"),
    gettext_noop(
        "Change a canteen; fields left out stay as they are (village staff: seats, meal days,\nvenue, address, operator and note)."
    ),
    gettext_noop("Change a current elder's dietary note or delivery (the fields sent; village staff)"),
    gettext_noop("Change a current elder's dietary note or delivery (the fields sent; village staff)."),
    gettext_noop("Change a draft (the fields you send)"),
    gettext_noop("Change a draft (the fields you send). 409 ``not_now`` once published."),
    gettext_noop(
        "Change a draft or published activity before it starts (409 once started, closed or\ncancelled). More places move the waiting list up; fewer than confirmed is a 422."
    ),
    gettext_noop("Change a draft or published activity before it starts (409 once started, closed or cancelled)"),
    gettext_noop("Change a draft's title, preface or note of what changed (409 once published)"),
    gettext_noop("Change a draft's title, preface or note of what changed (409 once published)."),
    gettext_noop("Change a planned session (the fields sent; whoever runs it)"),
    gettext_noop(
        "Change a planned session (the fields sent; whoever runs it). 409 once closed or cancelled,\nor when the time moves after listeners checked in."
    ),
    gettext_noop("Change a saying of a draft (fields left out stay as they are)"),
    gettext_noop("Change a saying of a draft (fields left out stay as they are)."),
    gettext_noop("Change the ceremony's title, venue or time before it starts (409 ``started``)"),
    gettext_noop("Change the ceremony's title, venue or time before it starts (409 ``started``)."),
    gettext_noop("Change your own volunteer profile (skills, when you are usually free)"),
    gettext_noop("Change your own volunteer profile (skills, when you are usually free)."),
    gettext_noop("Check 1 to 1,000 credentials"),
    gettext_noop(
        "Check 1 to 1,000 credentials: one ``{eligible, reason}`` per token, in order, and\nnothing else. ``reason``: eligible, not_eligible, expired, invalid (forged, altered,\nmalformed or unknown), wrong_provider (another provider's offer) or revoked. Every check\nis recorded and shown to the holder. 422 ``batch_size``; 429 ``rate_limited``."
    ),
    gettext_noop("Check in at a lecture with the code on the organiser's screen (your own consenting file)"),
    gettext_noop(
        "Check in at a lecture with the code on the organiser's screen (your own consenting file).\n409 ``already_in``, ``elsewhere``, ``speaker`` or ``not_open``; 422 for a forged or expired code."
    ),
    gettext_noop("Check in or out with the organiser's current code"),
    gettext_noop(
        "Check in or out with the organiser's current code. A scan outside the venue's radius is\naccepted and flagged; a replayed code or a double check-in is a 409 (and kept for the\norganiser); a forged or expired code is a 422."
    ),
    gettext_noop("Checked-in listeners of those lectures."),
    gettext_noop(
        "Claim an open wish for your own person file or an enterprise you represent (never your own\nwish). 409 ``claimed`` when someone else claimed it first."
    ),
    gettext_noop("Claim an open wish for your own person file or an enterprise you represent (never your own wish)"),
    gettext_noop("Close a call-out (a team administrator)"),
    gettext_noop("Close a call-out (a team administrator); its shifts take nobody more."),
    gettext_noop("Close a finished session"),
    gettext_noop(
        "Close a finished session: credit for listeners (P-PRA-01) and speakers (P-PRA-02) once,\nwithin the yearly caps; its order is held for rating. 409 when closed already."
    ),
    gettext_noop("Close a month (``YYYY-MM``)"),
    gettext_noop(
        "Close a month (``YYYY-MM``): months close in order, once, after they end (422\n``close_in_order`` / ``month_not_over``, 409 ``already_closed``)."
    ),
    gettext_noop("Close an accepted project whose left-over is 0 (the publisher)"),
    gettext_noop(
        "Close an accepted project whose left-over is 0 (the publisher); open pledges have their\nunpaid rest withdrawn. 409 ``left_over`` / ``not_accepted``."
    ),
    gettext_noop(
        "Closed lectures and their listeners per month, town and team, most-used sayings, ratings,\nformats and kinds of place, from ``first`` to ``last`` (at most three years)."
    ),
    gettext_noop(
        "Closed lectures and their listeners per month, town and team, most-used sayings, ratings, formats and kinds of place, from ``first`` to ``last`` (at most three years)"
    ),
    gettext_noop("Closed lectures in the window."),
    gettext_noop("Confirm receipt of a delivered wish (the resident, or a village officer for them)"),
    gettext_noop(
        "Confirm receipt of a delivered wish (the resident, or a village officer for them); the\nclaimant earns P-WSH-01 / E-WSH-01 credit once (``credit_status``)."
    ),
    gettext_noop("Create a credential for an offer you qualify for now"),
    gettext_noop(
        "Create a credential for an offer you qualify for now: a live code (5 minutes) or a\nprinted card (30 days). Show ``qr_payload`` as a QR code. 422 ``not_eligible`` or\n``no_consent``; 404 for an unknown or closed offer."
    ),
    gettext_noop("Create a draft from a YAML (``.yaml``/``.yml``) or XLSX file"),
    gettext_noop("Create a draft from a YAML (``.yaml``/``.yml``) or XLSX file; every problem is listed."),
    gettext_noop(
        "Create a draft project for one of your publisher seats (the project's region within the\nseat's). The same title sent again by you within two minutes returns the draft already made\n(same ``id``), nothing twice. 404 for a caller without a publisher seat."
    ),
    gettext_noop("Create a draft project for one of your publisher seats (the project's region within the seat's)"),
    gettext_noop(
        "Create a staff account with its first role grant (inside your region; the county roles\nneed an administrator of the county). The account changes its password at its first\nsign-in; without a password one is generated and answered this once. 409\n``duplicate_username``; 403 ``region_out_of_reach`` / ``county_role``; 422 on a field."
    ),
    gettext_noop(
        "Create a staff account with its first role grant (inside your region; the county roles need an administrator of the county)"
    ),
    gettext_noop(
        "Create a town's or village's meeting for a quarter (404 for a region you do not run; 409\n``duplicate_meeting`` or ``no_fund``; 422 ``future_quarter``)."
    ),
    gettext_noop(
        "Create a town's or village's meeting for a quarter (404 for a region you do not run; 409 ``duplicate_meeting`` or ``no_fund``; 422 ``future_quarter``)"
    ),
    gettext_noop("Create the village's canteen cook team (town and village officers)."),
    gettext_noop("Credit funds matching the filter."),
    gettext_noop("Credit it brought; null until the session is closed."),
    gettext_noop("Credit points this record earned (None: no award)."),
    gettext_noop("Deactivate an account you administer"),
    gettext_noop(
        "Deactivate an account you administer: it cannot sign in, its session ends and its API keys\nget 401. Again answers the same. 403 ``last_county_admin`` for the county's last active\nadministrator."
    ),
    gettext_noop("Decline a waiting application (the publisher)"),
    gettext_noop("Decline a waiting application (the publisher)."),
    gettext_noop("Decline an invitation to an activity"),
    gettext_noop("Decline an invitation to an activity."),
    gettext_noop("Decline an order dispatched to you or to a team you lead, with a reason"),
    gettext_noop(
        "Decline an order dispatched to you or to a team you lead, with a reason; it goes back to\nbe dispatched again."
    ),
    gettext_noop("Default: 29 days before date_to."),
    gettext_noop("Default: today (Beijing time)."),
    gettext_noop("Default: today."),
    gettext_noop("Deliver a claimed wish"),
    gettext_noop("Deliver a claimed wish: the value given (at most the wish's ceiling) and what was given."),
    gettext_noop("Department recorders only: the department."),
    gettext_noop(
        "Dispatch an order awaiting dispatch to one lecture team or one speaker (the centre, or\nthe institute of the order's town). 409 if it is not awaiting dispatch."
    ),
    gettext_noop(
        "Dispatch an order awaiting dispatch to one lecture team or one speaker (the centre, or the institute of the order's town)"
    ),
    gettext_noop("Distinct holders."),
    gettext_noop("Donated goods used at the canteen, latest first"),
    gettext_noop("Donated goods used at the canteen, latest first."),
    gettext_noop("Download a catalogue as YAML (``format=yaml``) or XLSX (``format=xlsx``)"),
    gettext_noop("Download a catalogue as YAML (``format=yaml``) or XLSX (``format=xlsx``)."),
    gettext_noop("Draw (or draw again) the list from the platform's data"),
    gettext_noop("Draw (or draw again) the list from the platform's data; ``draft`` only."),
    gettext_noop("Elders enrolled now."),
    gettext_noop("Empty or null clears it."),
    gettext_noop("Empty: a password is generated and answered once."),
    gettext_noop("Empty: a password is generated and answered once. Changed at first sign-in."),
    gettext_noop("Empty: no canteen; else the status of its canteen on the day."),
    gettext_noop(
        "Enrol a resident of the canteen's village aged 60 or more (by credit file or ID number),\nwith their own or a family member's consent. 409 when enrolled in a canteen already or the\ncanteen is not open or paused; 422 for a resident too young or not of the village."
    ),
    gettext_noop(
        "Enrol a resident of the canteen's village aged 60 or more (by credit file or ID number), with their own or a family member's consent"
    ),
    gettext_noop("Every catalogue version (published and drafts), newest first, for staff"),
    gettext_noop("Every catalogue version (published and drafts), newest first, for staff."),
    gettext_noop("Every charity ceremony, newest year first, with the size of its batch"),
    gettext_noop("Every charity ceremony, newest year first, with the size of its batch."),
    gettext_noop("Every grant and API key of an account, current ones first"),
    gettext_noop(
        "Every grant and API key of an account, current ones first: your own, or (administrators)\nthose of a user whose every grant lies in your region. 404 for anyone else."
    ),
    gettext_noop("Every revision, latest first."),
    gettext_noop("Everyone confirmed or scanned, with the minutes their scans give and the anomalies"),
    gettext_noop("Everyone confirmed or scanned, with the minutes their scans give and the anomalies."),
    gettext_noop("Find subjects in your regions by full ID number, full USCC or name"),
    gettext_noop(
        "Find subjects in your regions by full ID number, full USCC or name: any part of the name\nof two characters or more, a name's first character alone. Exact names first, then names\nthat start with the query, then the rest; 50 a page (``page`` from 1). The search is\naudited, with ``purpose`` (service, record, review, verification, supervision) if given."
    ),
    gettext_noop("First day (default: the first of the month 11 months back)."),
    gettext_noop("First day of the window (`on` minus `months`)."),
    gettext_noop("For fund: a town or village credit fund."),
    gettext_noop("For project."),
    gettext_noop("For return."),
    gettext_noop("For the project's publishers and auditors (audited)."),
    gettext_noop("From the lines, in the account's normal direction."),
    gettext_noop("From this day the link is no longer in force."),
    gettext_noop("Give up a claimed wish before delivering it (it is open again)"),
    gettext_noop("Give up a claimed wish before delivering it (it is open again)."),
    gettext_noop("Goods only."),
    gettext_noop("Goods only; above zero, at most two decimal places."),
    gettext_noop("Grant a role over a region inside yours to an account you administer (never yourself)"),
    gettext_noop(
        "Grant a role over a region inside yours to an account you administer (never yourself).\nSending a current grant again answers it unchanged. 404 out of reach; 403\n``region_out_of_reach`` / ``county_role``; 409 ``duplicate_grant``; 422 on a field."
    ),
    gettext_noop("Grant or withdraw consent to scoring"),
    gettext_noop(
        "Grant or withdraw consent to scoring: the person online, or a keeper from a counter visit\nor paper form."
    ),
    gettext_noop("Heads only: the quota applies from this day."),
    gettext_noop("Heads only: the quota applies until this day."),
    gettext_noop("Hex SHA-256 of the decoded content."),
    gettext_noop("How many months back a closed lecture covers a village (default: the county's setting)."),
    gettext_noop("How many sayings the version holds."),
    gettext_noop("How the team will carry out the project."),
    gettext_noop(
        "Ids (``n``) of your unexpired credentials an online check would refuse: withdrawn, the holder no longer qualifies, or a live code already used."
    ),
    gettext_noop("Import history of your departments (the credit office sees all), newest first"),
    gettext_noop("Import history of your departments (the credit office sees all), newest first."),
    gettext_noop("In the caller's language (Chinese when no English text exists)."),
    gettext_noop("In the caller's language."),
    gettext_noop("In the future and in ``year``; without a zone it is China time."),
    gettext_noop("Incentive providers' staff only: the code of the provider they act for."),
    gettext_noop("Invite a volunteer"),
    gettext_noop("Invite a volunteer; nothing is reserved until they sign up themselves."),
    gettext_noop(
        "Issue a certificate to the signed-in volunteer over their verified service records in\nthe period (optionally one team's; the team is then the issuer, else the village\ncommittee). Asking again while the period's records give the same totals returns the\ncertificate already issued, with status 200. 422 for a reversed, future or too long\nperiod, or one without records."
    ),
    gettext_noop(
        "Issue a certificate to the signed-in volunteer over their verified service records in the period (optionally one team's; the team is then the issuer, else the village committee)"
    ),
    gettext_noop("Issue an API key"),
    gettext_noop(
        "Issue an API key: for yourself (your own id), or (administrators) for an account you\nadminister. The key is answered this once and only its SHA-256 is kept. 409\n``duplicate_key_name`` for a second current key of that name; 422 on a field. Called with\nan API key, the new key's scopes and expiry stay within that key's (403 ``scope_refused``)."
    ),
    gettext_noop("Its place in this version."),
    gettext_noop("Journal entries posted (one per money or goods award)."),
    gettext_noop("Keyed by volunteer number."),
    gettext_noop("Last day, included (default: today). At most three years."),
    gettext_noop("Launch the ceremony now"),
    gettext_noop("Launch the ceremony now: publish its batch's drafts. A second call publishes nothing."),
    gettext_noop("Leave a shift you took"),
    gettext_noop("Leave a shift you took."),
    gettext_noop("Leave a team you belong to"),
    gettext_noop("Leave a team you belong to."),
    gettext_noop("Leave the register"),
    gettext_noop(
        "Leave the register: records and certificates stay; sign-ups that have not started are\ncancelled and team memberships end."
    ),
    gettext_noop("Lecture sessions"),
    gettext_noop(
        "Lecture sessions: those you run (lecture administrators, town officers, team leaders,\nspeakers; 404 for anyone else), or the planned ones in your town (``scope=upcoming``)."
    ),
    gettext_noop(
        "Lecture teams in the three tiers (department experts, urban professionals, town and\nvillage self-service), each with brand, members and sessions."
    ),
    gettext_noop(
        "Lecture teams in the three tiers (department experts, urban professionals, town and village self-service), each with brand, members and sessions"
    ),
    gettext_noop("Let an account act for a provider (the county credit office)"),
    gettext_noop(
        "Let an account act for a provider (the county credit office). The account needs an\nincentive-provider grant first (422 ``no_provider_grant``); 409 ``duplicate`` if it acts\nfor a provider already."
    ),
    gettext_noop(
        "Link an activity of the picked team to the project in progress (a leader of the picked team\nor the publisher). An activity carries out one project; 409 ``already_linked``,\n``activity_cancelled``, ``not_now``; 422 on ``activity_id`` for another team's activity."
    ),
    gettext_noop(
        "Link an activity of the picked team to the project in progress (a leader of the picked team or the publisher)"
    ),
    gettext_noop(
        "Lunches per day (eaten in, delivered, walk-ins) and canteens reporting over the caller's\nregion; days no canteen recorded are left out (missing, not zero)."
    ),
    gettext_noop("Lunches per day (eaten in, delivered, walk-ins) and canteens reporting over the caller's region"),
    gettext_noop("Monday = 0 … Sunday = 6."),
    gettext_noop("Money given (above zero) or the goods' assessed value (zero or more), yuan."),
    gettext_noop("Money, or the goods' value: yuan, at most two decimals."),
    gettext_noop("More than 0, at most 99.9"),
    gettext_noop("Most residents aged 80+ first."),
    gettext_noop("Move a canteen to another status (planned → building → open ⇄ paused → closed)"),
    gettext_noop("Move a canteen to another status (planned → building → open ⇄ paused → closed)."),
    gettext_noop("Names per credit status."),
    gettext_noop("Needs a time zone."),
    gettext_noop("Net-asset movements (opening balances brought in)."),
    gettext_noop("Newest first, at most 100."),
    gettext_noop("None for staff (not volunteers)."),
    gettext_noop("None while the line is not set."),
    gettext_noop("Object to a name during publicity"),
    gettext_noop(
        "Object to a name during publicity; anyone, no sign-in (409 ``not_in_publicity``; 429 when\ntoo many are sent from one address)."
    ),
    gettext_noop("Of them, those pledged in full."),
    gettext_noop("Offline verifiers refuse every credential after this without a newer list."),
    gettext_noop("Oldest first."),
    gettext_noop("Once something is paid: /projects/certificates/{code}."),
    gettext_noop("One activity (the shareable page's data)"),
    gettext_noop("One activity (the shareable page's data). Drafts only for the team's organisers."),
    gettext_noop("One answer per token, in the order sent."),
    gettext_noop("One canteen"),
    gettext_noop("One canteen: its details, status history and costs."),
    gettext_noop("One catalogue version with its grade bands and rules, for staff"),
    gettext_noop("One catalogue version with its grade bands and rules, for staff."),
    gettext_noop("One day"),
    gettext_noop("One day: its current record with the meals by elder, and every revision (village staff)."),
    gettext_noop("One decimal place; null without ratings."),
    gettext_noop("One entry with its lines (404 for an entry of another fund)"),
    gettext_noop("One entry with its lines (404 for an entry of another fund). Audited."),
    gettext_noop(
        "One head's quota history, newest period first, with the lectures that counted (a staff\nread is audited)."
    ),
    gettext_noop(
        "One head's quota history, newest period first, with the lectures that counted (a staff read is audited)"
    ),
    gettext_noop("One import of your departments"),
    gettext_noop("One import of your departments: its status, progress and the problems found in the file."),
    gettext_noop(
        "One lecture order with its history (each step, who took it in which role, the reason)\nand what you may do with it now."
    ),
    gettext_noop(
        "One lecture order with its history (each step, who took it in which role, the reason) and what you may do with it now"
    ),
    gettext_noop("One published honour roll"),
    gettext_noop(
        "One published honour roll: the awarded names by category. 404 for a meeting that is\nunknown or not published."
    ),
    gettext_noop("One session"),
    gettext_noop("One session: speakers, sayings, photos and counts; the listeners only for those who run it."),
    gettext_noop("One small wish as the public sees it (the resident's masked name and village only)"),
    gettext_noop("One small wish as the public sees it (the resident's masked name and village only)."),
    gettext_noop("One version with its sayings in order (a draft only for administrators)"),
    gettext_noop("One version with its sayings in order (a draft only for administrators)."),
    gettext_noop("One week of the rota, Monday to Sunday, with the cooks placed by duty"),
    gettext_noop("One week of the rota, Monday to Sunday, with the cooks placed by duty."),
    gettext_noop("One year's ceremony"),
    gettext_noop("One year's ceremony."),
    gettext_noop("Only heads with a period in this state."),
    gettext_noop("Only orders in this state."),
    gettext_noop("Only sayings with this topic."),
    gettext_noop("Only where the region's rules publish amounts."),
    gettext_noop("Order a lecture for your village, community, school, canteen or enterprise"),
    gettext_noop(
        "Order a lecture for your village, community, school, canteen or enterprise: a topic or a\nsaying, preferred dates (from today, at most 60 days apart), the audience and the place."
    ),
    gettext_noop("Orders per rating, keys 1 to 5."),
    gettext_noop("Overlapping sign-ups of the volunteer."),
    gettext_noop("Part of the name of a village, community or town."),
    gettext_noop("Part of the name or position."),
    gettext_noop(
        "Pay and record the awards after publicity (multipart, ``voucher``: the signed receipt\nlist, PDF/JPEG/PNG): one journal entry per money or goods award, a P-HON-06 credit entry per\nname; 422 ``insufficient_funds`` (nothing saved; the message says how much is missing), 409\n``in_publicity``, ``open_objections``, ``award_missing``, ``already_awarded``."
    ),
    gettext_noop(
        "Pay and record the awards after publicity (multipart, ``voucher``: the signed receipt list, PDF/JPEG/PNG)"
    ),
    gettext_noop("Per cent of the people on duty that day who are volunteers."),
    gettext_noop("Percent, one decimal."),
    gettext_noop("Person-times benefited per month (Beijing time), provider and offer, newest month first"),
    gettext_noop(
        "Person-times benefited per month (Beijing time), provider and offer, newest month first:\na provider sees its own; the county credit office and auditors see all. ``since``: a date."
    ),
    gettext_noop("Person-times benefited."),
    gettext_noop("Persons and organisations under each child of a region (the county when omitted)"),
    gettext_noop("Persons and organisations under each child of a region (the county when omitted)."),
    gettext_noop("Persons without consent to scoring have no grade and no incentives."),
    gettext_noop("Pick the team that carries out the project (the publisher)"),
    gettext_noop(
        "Pick the team that carries out the project (the publisher): the other waiting applications\nare declined. 409 ``team_picked`` (该项目已选定实施团队) when a team is picked already."
    ),
    gettext_noop("Plan a milestone due within the project's dates (numbered per project)"),
    gettext_noop(
        "Plan a milestone due within the project's dates (numbered per project). 409 ``not_now``\nonce the work is completed."
    ),
    gettext_noop("Pledge ``amount`` to a published project for ``sponsor_subject_id``"),
    gettext_noop(
        "Pledge ``amount`` to a published project for ``sponsor_subject_id``. 422 ``over_need`` (with\nwhat the project still needs), ``title_whole_budget``, ``title_anonymous``; 409 ``not_now`` (not\nopen for pledges), ``title_taken``. 201 new; 200 the same pledge sent again within two minutes."
    ),
    gettext_noop("Pledges made during the ceremony (withdrawn ones left out)."),
    gettext_noop("Post a small wish"),
    gettext_noop(
        "Post a small wish: a resident for themselves (leave ``beneficiary_subject_id`` empty), a\nvillage officer for a person of the village. The ceiling is at most ¥3,000.00 (the county's\nsetting); a resident has at most 3 wishes waiting or claimed. 201 new; 200 the same wish\nsubmitted again within two minutes."
    ),
    gettext_noop("Post the reversal of an entry (every line negated)"),
    gettext_noop(
        "Post the reversal of an entry (every line negated). 409 ``already_reversed`` /\n``is_reversal``; 422 ``period_closed`` for a date in a closed month."
    ),
    gettext_noop("Projects in the batch (drafts included)."),
    gettext_noop("Projects of the batch that are public."),
    gettext_noop("Projects per state, before the state filter."),
    gettext_noop(
        "Projects published, claimed and completed, money raised and spent, per year, per town\n(``key`` is the region code) and per category, with the same filters on each table (422\n``unknown_town``, ``unknown_category``)."
    ),
    gettext_noop(
        "Projects published, claimed and completed, money raised and spent, per year, per town (``key`` is the region code) and per category, with the same filters on each table (422 ``unknown_town``, ``unknown_category``)"
    ),
    gettext_noop("Projects this call published (0 when launched before)."),
    gettext_noop("Propose an offer for your organisation"),
    gettext_noop(
        "Propose an offer for your organisation; it applies once the county credit office\napproves it. The county credit office may enter one for a provider (``provider_id``)."
    ),
    gettext_noop("Proposed and awarded names."),
    gettext_noop("Public activities"),
    gettext_noop(
        "Public activities. Without ``phase``: published ones that have not ended, soonest first;\nfinished, closed and cancelled ones latest first."
    ),
    gettext_noop("Public check of a certificate with the digest ``d`` from its QR code"),
    gettext_noop(
        "Public check of a certificate with the digest ``d`` from its QR code: ``ok`` with the\nfacts (name masked), ``altered`` or ``unknown``. 429 when a client asks too often."
    ),
    gettext_noop("Public check of a sponsor certificate (the code from its QR)"),
    gettext_noop(
        "Public check of a sponsor certificate (the code from its QR): the sponsor as the public sees\nthem, the project, pledged and paid. 404 when no certificate has the code; 429 when a client\nasks too often."
    ),
    gettext_noop("Publish a draft"),
    gettext_noop("Publish a draft activity so that volunteers can sign up"),
    gettext_noop("Publish a draft activity so that volunteers can sign up."),
    gettext_noop("Publish a draft catalogue (the county credit office)"),
    gettext_noop("Publish a draft catalogue (the county credit office); a published version is never edited."),
    gettext_noop("Publish a draft into the catalogue"),
    gettext_noop("Publish a draft into the catalogue. 409 ``not_draft``, or ``ended`` when its end date has\npassed."),
    gettext_noop("Publish a draft: it becomes the current book and is frozen (needs at least one saying)."),
    gettext_noop("Publish the honour roll once the awards are paid"),
    gettext_noop("Publish the honour roll once the awards are paid; nothing changes afterwards."),
    gettext_noop("Put a cook on the rota"),
    gettext_noop(
        "Put a cook on the rota: they are invited to the day's activity. 422 when their latest\nhealth certificate has expired by the day; 403 when you do not organise the cook team."
    ),
    gettext_noop("Put a staff member (not a volunteer) on a shift, so the daily count is complete"),
    gettext_noop("Put a staff member (not a volunteer) on a shift, so the daily count is complete."),
    gettext_noop(
        "Put draft or published projects into the batch (``attach``: true) or take them out, before\nthe ceremony starts; all or nothing (409 ``started``, ``not_attachable``, ``other_ceremony``,\n``not_in_batch``; 404 for an unknown project)."
    ),
    gettext_noop(
        "Put draft or published projects into the batch (``attach``: true) or take them out, before the ceremony starts"
    ),
    gettext_noop("Put the list in publicity from today (7 days unless ``days`` says 1 to 30)"),
    gettext_noop("Put the list in publicity from today (7 days unless ``days`` says 1 to 30)."),
    gettext_noop("Queue a CSV/XLSX file of records for your department"),
    gettext_noop(
        "Queue a CSV/XLSX file of records for your department; the worker checks and commits it.\nPoll ``GET /credit/imports/{id}`` for progress and the per-row report. A file over the size\nlimit is refused with 413 ``import_too_large``, one with too many data rows with 422\n``import_too_many_rows``; neither is stored."
    ),
    gettext_noop("Rate a held lecture you ordered, 1 to 5 with a comment"),
    gettext_noop("Rate a held lecture you ordered, 1 to 5 with a comment; once (409 the second time)."),
    gettext_noop("Reactivate an account you administer (its grants and keys count again)"),
    gettext_noop("Reactivate an account you administer (its grants and keys count again)."),
    gettext_noop("Record a cook's health certificate (village staff)"),
    gettext_noop("Record a cook's health certificate (village staff). 409 for the same number twice."),
    gettext_noop("Record a donation of money or goods"),
    gettext_noop(
        "Record a donation of money or goods. 201 with the new donation; 200 with the first when the\nsame donation was submitted by you within two minutes. A donor identified by a consenting\nperson file earns P-DON-01 credit once (``credit``); 409 ``canteen_closed``."
    ),
    gettext_noop("Record a food-safety training a cook attended (village staff)"),
    gettext_noop("Record a food-safety training a cook attended (village staff)."),
    gettext_noop(
        "Record a planned lecture session (``order_id``: the session of an accepted order, by its\ndispatched speaker or team). Times need a time zone; a mobile place needs coordinates."
    ),
    gettext_noop(
        "Record a planned lecture session (``order_id``: the session of an accepted order, by its dispatched speaker or team)"
    ),
    gettext_noop("Record goods used"),
    gettext_noop(
        "Record goods used; 422 ``more_than_received`` when more of the item (same name and unit)\nwould be used than was received in all."
    ),
    gettext_noop("Record listeners present without a phone, by ID number or person file, with a reason"),
    gettext_noop(
        "Record listeners present without a phone, by ID number or person file, with a reason.\nThose refused (already in, at another lecture, a speaker) are listed in ``skipped``."
    ),
    gettext_noop(
        "Record money (Dr 1001 / Cr 4004) or goods at their assessed value (Dr 1002 / Cr 4005) given\nto the fund. A donor chosen from ``/subjects/search`` (``donor_subject_id``) earns P-DON-02 /\nE-DON-02 credit once, capped (``credit_status``). 201 new; 200 the same donation submitted\nagain within two minutes."
    ),
    gettext_noop(
        "Record money (Dr 1001 / Cr 4004) or goods at their assessed value (Dr 1002 / Cr 4005) given to the fund"
    ),
    gettext_noop(
        "Record money paid out (``kind``: reward | spending; the county fund's spending may name a\n``budget_line_id``). 422 ``insufficient_funds`` / ``below_minimum`` when the bank account\ncannot pay it; a double submit returns the entry already posted."
    ),
    gettext_noop(
        "Record money paid out (``kind``: reward | spending; the county fund's spending may name a ``budget_line_id``)"
    ),
    gettext_noop(
        "Record money received (``kind``: welfare | transfer_in | other) with its voucher (PDF, JPEG\nor PNG by content, within the size limit). 201 with the entry; the same movement sent again\nby you within two minutes returns the entry already posted (same ``id``), nothing twice."
    ),
    gettext_noop(
        "Record money received (``kind``: welfare | transfer_in | other) with its voucher (PDF, JPEG or PNG by content, within the size limit)"
    ),
    gettext_noop("Record money received against a pledge with the bank slip (PDF, JPEG or PNG)"),
    gettext_noop(
        "Record money received against a pledge with the bank slip (PDF, JPEG or PNG): Dr 1001 / Cr\nthe project's income account; the sponsor earns P-PRJ-01 / E-PRJ-01 credit once, capped\n(``credit_status``). 409 ``not_now`` (a draft or closed project), ``pledge_withdrawn``; 422\n``over_pledge``. 201 new; 200 the same payment sent again within two minutes."
    ),
    gettext_noop(
        "Record money spent on the project (in progress or completed) with its voucher (PDF, JPEG or\nPNG). 422 ``beyond_left`` for more than the project holds; the same spending sent again by\nyou within two minutes returns the first (same ``id``)."
    ),
    gettext_noop("Record money spent on the project (in progress or completed) with its voucher (PDF, JPEG or PNG)"),
    gettext_noop("Record money that built or runs the canteen (its town officer or an administrator)"),
    gettext_noop("Record money that built or runs the canteen (its town officer or an administrator)."),
    gettext_noop("Record one entry"),
    gettext_noop(
        "Record one entry. Retrying with the same ``source_key`` and content returns the existing\nentry with status 200 and ``created: false``; other content under the key is a 409."
    ),
    gettext_noop("Record that the elder leaves today"),
    gettext_noop(
        "Record that the elder leaves today: by village staff (with a reason) or by the elder\nthemself. 409 when they have left already."
    ),
    gettext_noop("Record that you gave the benefit, under your own ``reference``"),
    gettext_noop(
        "Record that you gave the benefit, under your own ``reference``: 201, or 200 with\n``created: false`` when retrying the same reference with the same credential. Refusals,\neach recorded as a check: 422 ``invalid``, ``expired``, ``wrong_provider``, ``revoked`` or\n``not_eligible``; 409 ``replayed`` (a live code used again), ``quota_exhausted`` or\n``reference_reused``; 429 ``rate_limited``."
    ),
    gettext_noop("Record the day's lunch (today or up to 7 days back)"),
    gettext_noop(
        "Record the day's lunch (today or up to 7 days back): elders who ate in and who got a\ndelivery (subject ids of elders enrolled that day; each in one list) and the walk-ins. A\nsecond record appends the next revision; the same record twice returns the current one.\n409 when an elder's lunch that day is recorded at another canteen."
    ),
    gettext_noop("Record who came and how many elders were seen, once the clinic has started"),
    gettext_noop("Record who came and how many elders were seen, once the clinic has started."),
    gettext_noop("Register a person in a village of your region"),
    gettext_noop("Register a person in a village of your region. 409 when the ID number is already registered."),
    gettext_noop("Register a provider (the county credit office)"),
    gettext_noop("Register a provider (the county credit office). 422 ``duplicate`` for a taken code."),
    gettext_noop("Register an enterprise or individual business in a village of your region"),
    gettext_noop(
        "Register an enterprise or individual business in a village of your region. 409 when the\nUSCC is already registered."
    ),
    gettext_noop("Register yourself as a volunteer (nobody registers anybody else)"),
    gettext_noop(
        "Register yourself as a volunteer (nobody registers anybody else). Under 18, a guardian's\nname, relation and consent are required. 409 if you are registered already."
    ),
    gettext_noop("Remove a saying from a draft"),
    gettext_noop("Remove a saying from a draft; the later ones move up. Answers the draft as it now is."),
    gettext_noop("Removed, excluded and withdrawn names, with why."),
    gettext_noop("Replaces the availability; omit to keep it."),
    gettext_noop("Replaces the skills; omit to keep them."),
    gettext_noop(
        "Report a milestone of a project in progress with up to nine JPEG or PNG photos in all\n(judged by content, each within the size limit; the same photo twice is kept once). 422 on\n``photos``: ``photo_type``, ``photo_too_large``, ``too_many_photos``."
    ),
    gettext_noop(
        "Report a milestone of a project in progress with up to nine JPEG or PNG photos in all (judged by content, each within the size limit; the same photo twice is kept once)"
    ),
    gettext_noop("Required for a field, fishing farm or market."),
    gettext_noop("Required for an open canteen."),
    gettext_noop("Required from staff; the elder may leave without one."),
    gettext_noop("Required to reject or suspend."),
    gettext_noop("Required under 18."),
    gettext_noop("Required under 18: the guardian consents."),
    gettext_noop("Required unless a saying is given."),
    gettext_noop("Required unless the session has one."),
    gettext_noop("Residents aged 80 or more on the day (from the credit file)."),
    gettext_noop("Retired keys still verify credentials issued before."),
    gettext_noop("Return or move (part of) an accepted project's left-over"),
    gettext_noop(
        "Return or move (part of) an accepted project's left-over: ``return`` to a pledge's sponsor\n(at most what it paid less what went back), ``project`` to another public project still being\ncarried out, ``fund`` to a town's or village's credit fund. Backed by a generated settlement\nnote. 422 ``beyond_left``, ``beyond_paid``, ``unknown_target``; 409 ``not_now``."
    ),
    gettext_noop("Reverse a spending (the reversing journal entry)"),
    gettext_noop("Reverse a spending (the reversing journal entry); 409 ``already_reversed``."),
    gettext_noop("Reverse an allocation as a pair (the county's entry and the recipient's transfer)"),
    gettext_noop(
        "Reverse an allocation as a pair (the county's entry and the recipient's transfer); 409\n``already_reversed``; 422 ``insufficient_funds`` when the recipient has spent the money."
    ),
    gettext_noop("Revoke a role grant (administrators, within their region)"),
    gettext_noop(
        "Revoke a role grant (administrators, within their region); it stops counting on the\nholder's next request. Revoking it again answers the same. 404 when it is missing or not\nyours to manage; 403 ``last_admin_grant`` for your own last administrator grant."
    ),
    gettext_noop("Revoke an API key"),
    gettext_noop(
        "Revoke an API key: your own, or (administrators) one of a user in your region. The next\nrequest with it gets 401. Revoking it again answers the same. 404 when it is missing or not\nyours."
    ),
    gettext_noop("SHA-256 of the published content; empty for a draft."),
    gettext_noop(
        "Say the work is done, with the completion report (a leader of the picked team or the\npublisher). 409 ``not_in_progress``."
    ),
    gettext_noop("Say the work is done, with the completion report (a leader of the picked team or the publisher)"),
    gettext_noop("Schedule a clinic (town officer, administrators, village staff)"),
    gettext_noop("Schedule a clinic (town officer, administrators, village staff)."),
    gettext_noop(
        "Schedule a pre-meal session through the lectures service (town officers, lecture\nadministrators, lecture team leaders and speakers, under lectures' rules)."
    ),
    gettext_noop(
        "Schedule a pre-meal session through the lectures service (town officers, lecture administrators, lecture team leaders and speakers, under lectures' rules)"
    ),
    gettext_noop("Search the sayings of the current book (or of ``book``)"),
    gettext_noop(
        "Search the sayings of the current book (or of ``book``): every word of ``q`` must appear\nin the text, interpretation, topics or cases, ignoring case."
    ),
    gettext_noop("Set a new password on an account you administer"),
    gettext_noop(
        "Set a new password on an account you administer; it must change it at its next sign-in.\nWithout a password one is generated and answered this once."
    ),
    gettext_noop("Set a proposed name's award"),
    gettext_noop(
        "Set a proposed name's award: money, goods with their value, or a certificate (422\n``too_many_decimals``)."
    ),
    gettext_noop("Set or revise a budget line"),
    gettext_noop("Set or revise a budget line; 422 ``below_used`` under what the line already allocated and\nspent."),
    gettext_noop(
        "Set up the year's ceremony (the county centre; 409 ``duplicate_ceremony``; 422\n``in_the_past``, ``wrong_year``, ``ends_before_start``, ``too_long``)."
    ),
    gettext_noop(
        "Set up the year's ceremony (the county centre; 409 ``duplicate_ceremony``; 422 ``in_the_past``, ``wrong_year``, ``ends_before_start``, ``too_long``)"
    ),
    gettext_noop(
        "Shifts with how many are on duty, and per day the people on duty and the share who are\nvolunteers. Who is on duty (volunteer number and name; staff by name) is listed for the\ncall-out's organisers only."
    ),
    gettext_noop("Shifts with how many are on duty, and per day the people on duty and the share who are volunteers"),
    gettext_noop("Shown as 爱心人士 / 爱心企业 on the public notice."),
    gettext_noop("Sign yourself up (or accept an invitation)"),
    gettext_noop(
        "Sign yourself up (or accept an invitation): ``confirmed`` while places are free, then\n``waitlisted``. ``warnings`` lists your overlapping sign-ups."
    ),
    gettext_noop("Signed: a debit is positive, a credit negative."),
    gettext_noop("Skill codes, e.g. cooking, first_aid."),
    gettext_noop("Speakers (leaders, heads, team members, volunteers), filtered by kind, area and name"),
    gettext_noop("Speakers (leaders, heads, team members, volunteers), filtered by kind, area and name."),
    gettext_noop("Spending straight from a budget line (Dr the line's account / Cr 1001)"),
    gettext_noop(
        "Spending straight from a budget line (Dr the line's account / Cr 1001); 422 ``beyond_line``\nbeyond what the line has left."
    ),
    gettext_noop("Start a claimed project whose team is picked (the publisher)"),
    gettext_noop("Start a claimed project whose team is picked (the publisher). 409 ``not_claimed`` /\n``no_team``."),
    gettext_noop("Start the next version as a draft, a copy of the current book (409 while a draft is open)"),
    gettext_noop("Start the next version as a draft, a copy of the current book (409 while a draft is open)."),
    gettext_noop("Still to be pledged (budget − pledged)."),
    gettext_noop("Subject ids of elders who ate in."),
    gettext_noop("Subject ids of elders who got a delivery."),
    gettext_noop("Take a cook off a day's rota before the work starts"),
    gettext_noop("Take a cook off a day's rota before the work starts; their invitation or sign-up is cancelled."),
    gettext_noop("Take a shift (your own decision)"),
    gettext_noop("Take a shift (your own decision)."),
    gettext_noop("The Monday of the week checked."),
    gettext_noop("The acceptance note."),
    gettext_noop("The account the speaker signs in with."),
    gettext_noop("The accounts you administer (every grant in your region), by username"),
    gettext_noop(
        "The accounts you administer (every grant in your region), by username; ``q`` narrows to\nusernames or names containing it. Account administrators only (404 for anyone else)."
    ),
    gettext_noop("The adoption-link board on a day"),
    gettext_noop(
        "The adoption-link board on a day: links in force with each leader's sessions there, the\ntowns and villages with and without a leader, the adopted enterprises."
    ),
    gettext_noop("The beneficiaries' feedback."),
    gettext_noop("The caller keeps the fund (may post, reverse and close)."),
    gettext_noop(
        "The caller's own wishes (a resident), the wishes their subjects claimed (a resident or an\nenterprise representative), their villages' wishes (a village officer), in full."
    ),
    gettext_noop(
        "The caller's own wishes (a resident), the wishes their subjects claimed (a resident or an enterprise representative), their villages' wishes (a village officer), in full"
    ),
    gettext_noop("The caller's sign-up status, if any."),
    gettext_noop("The canteen's clinics to come and past ones"),
    gettext_noop("The canteen's clinics to come and past ones."),
    gettext_noop("The canteen's cooks with the state of their latest health certificate and their trainings"),
    gettext_noop("The canteen's cooks with the state of their latest health certificate and their trainings."),
    gettext_noop("The canteen's current elders by name (village staff of its village only; audited)"),
    gettext_noop("The canteen's current elders by name (village staff of its village only; audited)."),
    gettext_noop("The canteen's days from ``from`` to ``to`` (at most 366 days, up to today), latest first"),
    gettext_noop(
        "The canteen's days from ``from`` to ``to`` (at most 366 days, up to today), latest first;\na meal day without a record is ``missing``, not zero. Counts only."
    ),
    gettext_noop(
        "The canteen's donations, latest first, with donors' full names and the credit each earned\n(or why not), for whoever runs the canteen."
    ),
    gettext_noop(
        "The canteen's donations, latest first, with donors' full names and the credit each earned (or why not), for whoever runs the canteen"
    ),
    gettext_noop("The canteen's pre-meal sessions (lecture sessions of format ``pre_meal`` at its venue)"),
    gettext_noop("The canteen's pre-meal sessions (lecture sessions of format ``pre_meal`` at its venue)."),
    gettext_noop("The canteen's public notice (公示) over the last year"),
    gettext_noop(
        "The canteen's public notice (公示) over the last year: donations (anonymous donors as\n爱心人士 / 爱心企业, persons by surname only), totals per month, stock used and on hand. No\nsign-in; 404 for a canteen still planned; 429 when a client asks too often."
    ),
    gettext_noop("The canteens the caller reads (their village, town or the county), by village code"),
    gettext_noop("The canteens the caller reads (their village, town or the county), by village code."),
    gettext_noop("The canteens' figures over the caller's region for a period (at most three years)"),
    gettext_noop(
        "The canteens' figures over the caller's region for a period (at most three years): days,\ntotals per town and canteen, meal days in a week against commitments, cooks and hours,\ndonations per month."
    ),
    gettext_noop("The ceiling value in yuan."),
    gettext_noop(
        "The certificate as a PDF, for the volunteer or staff reading files in the volunteer's\nvillage (the read is audited and shown to the person)."
    ),
    gettext_noop(
        "The certificate as a PDF, for the volunteer or staff reading files in the volunteer's village (the read is audited and shown to the person)"
    ),
    gettext_noop('The claimant\'s name, "爱心人士（匿名）" when anonymous, "" while open.'),
    gettext_noop("The code in the link the session's QR code opens."),
    gettext_noop(
        "The committee adds a person with a reason (422 ``outside_region``, ``no_consent``,\n``serious_deduction``; 409 ``already_listed``)."
    ),
    gettext_noop(
        "The committee adds a person with a reason (422 ``outside_region``, ``no_consent``, ``serious_deduction``; 409 ``already_listed``)"
    ),
    gettext_noop("The committee removes a proposed name with a reason"),
    gettext_noop("The committee removes a proposed name with a reason."),
    gettext_noop("The completion report."),
    gettext_noop("The county credit office enters an offer for a provider."),
    gettext_noop("The county fund's budget lines of the year."),
    gettext_noop(
        "The county special fund and a page of the towns' and villages' credit funds (by region\ncode), each with its latest statement's quarter."
    ),
    gettext_noop(
        "The county special fund and a page of the towns' and villages' credit funds (by region code), each with its latest statement's quarter"
    ),
    gettext_noop("The county special fund's budget for ``year``"),
    gettext_noop(
        "The county special fund's budget for ``year``: every line (unset lines at zero) with its\nbudget, allocated, spent and left; the totals, the year's appropriations, the bank balance."
    ),
    gettext_noop(
        "The county's money paid into the fund (Dr 1001 / Cr 4001), with its voucher (PDF, JPEG or\nPNG). The same submission again within two minutes returns the first entry."
    ),
    gettext_noop("The county's money paid into the fund (Dr 1001 / Cr 4001), with its voucher (PDF, JPEG or PNG)"),
    gettext_noop(
        "The county's public keys (Ed25519) for verifying credentials and exports offline,\nincluding retired keys that still verify credentials issued before a rotation. Cacheable\nfor five minutes."
    ),
    gettext_noop(
        "The county's public keys (Ed25519) for verifying credentials and exports offline, including retired keys that still verify credentials issued before a rotation"
    ),
    gettext_noop("The county, or a town for a town head."),
    gettext_noop("The current check-in code for the organiser's screen"),
    gettext_noop("The current check-in code for the organiser's screen; it changes every 30 seconds."),
    gettext_noop("The current revision's meals."),
    gettext_noop("The day (today in Beijing by default)."),
    gettext_noop("The day checked (default: today, Beijing time)."),
    gettext_noop("The day the awards were paid."),
    gettext_noop("The deadline of the current step (dispatch or answer) has passed."),
    gettext_noop("The department's code, for a department head."),
    gettext_noop("The donor as the public sees them: 爱心人士 / 爱心企业 when anonymous, a person by surname only."),
    gettext_noop("The donor's name, or 爱心人士（匿名） for a donor who asked for anonymity."),
    gettext_noop("The draft's title; by default the current book's."),
    gettext_noop("The enterprise you represent (kind enterprise)."),
    gettext_noop("The enterprise's credit file."),
    gettext_noop("The entry's debits (its size)."),
    gettext_noop("The family member who consents."),
    gettext_noop("The first day of the month (Beijing time)."),
    gettext_noop("The fund keeper's desk"),
    gettext_noop(
        "The fund keeper's desk: pledges with money still to come on projects that take payments,\noldest first (``number``: one project)."
    ),
    gettext_noop(
        "The fund's donations, latest first, with donors' full names and the credit each earned\n(whoever reads the fund's books; the read is audited)."
    ),
    gettext_noop(
        "The fund's donations, latest first, with donors' full names and the credit each earned (whoever reads the fund's books; the read is audited)"
    ),
    gettext_noop("The fund's journal, newest first, each entry with its lines"),
    gettext_noop("The fund's journal, newest first, each entry with its lines. Audited."),
    gettext_noop("The funds whose books you read (county, towns, villages), with ``keeps`` for those you keep"),
    gettext_noop("The funds whose books you read (county, towns, villages), with ``keeps`` for those you keep."),
    gettext_noop("The generated password, answered this once; null when one was sent."),
    gettext_noop("The holder may create a credential for it now."),
    gettext_noop("The incentive's code, e.g. bus-half-aa."),
    gettext_noop("The incentive's id, or give ``incentive`` (its code)."),
    gettext_noop("The key, answered this once; only its SHA-256 is kept."),
    gettext_noop("The kinds of activity, each with the credit rule its verified hours earn (public)"),
    gettext_noop("The kinds of activity, each with the credit rule its verified hours earn (public)."),
    gettext_noop(
        "The latest signed eligibility export of one of your offers, for offline validators\n(the worker refreshes it every 15 minutes).\n\nJSON: ``content`` is base64url (no padding) of the sorted 10-byte pseudonymous holder ids,\nconcatenated (``holders`` of them). The ids are those inside your holders' credential\ntokens (``h``, base32) as bytes. To verify: decode ``content``; check that its hex SHA-256\nequals ``sha256``; then verify ``signature`` (base64url Ed25519, key ``kid`` from\n``GET /keys``) over the ASCII bytes ``RXE1.<incentive>.<timestamp>.<sha256>``. 404\n``not_found`` for another provider's offer; 404 ``no_export`` before the first export."
    ),
    gettext_noop(
        "The latest signed eligibility export of one of your offers, for offline validators (the worker refreshes it every 15 minutes)"
    ),
    gettext_noop("The latest statement; null before the first entry."),
    gettext_noop("The leader's sessions at this link in the term."),
    gettext_noop("The lecture orders you read"),
    gettext_noop(
        "The lecture orders you read: your own, those of the regions you dispatch for (awaiting\ndispatch first) and those dispatched to you or your team; ``state`` filters."
    ),
    gettext_noop("The lectures you attended and gave, latest first, with the credit each brought"),
    gettext_noop("The lectures you attended and gave, latest first, with the credit each brought."),
    gettext_noop("The left-over returned to sponsors or moved."),
    gettext_noop("The meal days in words (Chinese)."),
    gettext_noop(
        "The meetings you read (your towns and villages; all for the county and auditors), newest\nquarter first, at most 200."
    ),
    gettext_noop(
        "The meetings you read (your towns and villages; all for the county and auditors), newest quarter first, at most 200"
    ),
    gettext_noop(
        "The offers in force today, with their provider, floor grade, benefit, validity and\nquotas. ``for_kind``: person | organisation. Cacheable for five minutes."
    ),
    gettext_noop("The offers in force today, with their provider, floor grade, benefit, validity and quotas"),
    gettext_noop("The organiser records a check-in or check-out for a volunteer without a phone, with a\nreason."),
    gettext_noop("The organiser records a check-in or check-out for a volunteer without a phone, with a reason"),
    gettext_noop("The person has read and accepts the volunteer service terms."),
    gettext_noop(
        "The pledges of every subject you speak for, newest first, with what was paid and, once\nsomething is paid, the certificate's code."
    ),
    gettext_noop(
        "The pledges of every subject you speak for, newest first, with what was paid and, once something is paid, the certificate's code"
    ),
    gettext_noop(
        "The projects you publish or oversee (publishers, the county centre, auditors), newest\nfirst, drafts included, with the number in each state. 404 for anyone else."
    ),
    gettext_noop(
        "The projects you publish or oversee (publishers, the county centre, auditors), newest first, drafts included, with the number in each state"
    ),
    gettext_noop("The provider's name."),
    gettext_noop("The provider's own credit subject, if any."),
    gettext_noop("The public catalogue"),
    gettext_noop(
        "The public catalogue: published, claimed, in progress, completed, accepted and closed\nprojects, filtered and ordered, 20 a page. 422 for an unknown state, category or order."
    ),
    gettext_noop("The public list of small wishes, newest first, 20 a page"),
    gettext_noop(
        "The public list of small wishes, newest first, 20 a page: the wish, its story, category,\nceiling and state, the village, the resident's masked name, the claimant (anonymous ones as\n爱心人士（匿名）). Withdrawn wishes are not listed."
    ),
    gettext_noop("The public sees 爱心人士（匿名） instead of the name."),
    gettext_noop("The published honour rolls, newest quarter first"),
    gettext_noop("The published honour rolls, newest quarter first."),
    gettext_noop("The quarters the fund has a statement for, oldest first"),
    gettext_noop("The quarters the fund has a statement for, oldest first."),
    gettext_noop("The quota board"),
    gettext_noop(
        "The quota board: each head (that the caller sees) and period with the lectures counted\nand the state done, due, overdue or not_due; the overdue list newest period first."
    ),
    gettext_noop("The quota policies, newest first (without any, one lecture every two months applies)"),
    gettext_noop("The quota policies, newest first (without any, one lecture every two months applies)."),
    gettext_noop("The region the project serves, within your seat's."),
    gettext_noop("The region the role is granted over (its subtree)."),
    gettext_noop("The resident's ID number (looked up, not stored)."),
    gettext_noop("The resident's credit file; or give ``id_number``."),
    gettext_noop("The resident's masked name (the surname and one * per other character)."),
    gettext_noop(
        "The same, signed: RXS1.<base64url JSON>.<base64url Ed25519 signature over 'RXS1.<payload>'>, JSON keys v, k (key id), p (provider), t (made at), e (valid until), i (offers), r (revoked ids)."
    ),
    gettext_noop("The saying's lasting identity across versions (S01, S02 ...)."),
    gettext_noop("The saying's text in the current book (or its latest version)."),
    gettext_noop("The score and grade the subject had at ``at``, computed from the facts"),
    gettext_noop("The score and grade the subject had at ``at``, computed from the facts."),
    gettext_noop(
        "The share of villages with an open canteen against the target, the villages without one\nranked by residents aged 80+, the build plan per year (town officers: their town's part)."
    ),
    gettext_noop(
        "The share of villages with an open canteen against the target, the villages without one ranked by residents aged 80+, the build plan per year (town officers: their town's part)"
    ),
    gettext_noop("The signed credential (format in rongxin.incentives.signing)."),
    gettext_noop("The signed status list of your offers for offline verification"),
    gettext_noop(
        "The signed status list of your offers for offline verification: your open offers and the\nids of your unexpired credentials an online check would refuse (withdrawn, the holder no\nlonger qualifies, a live code already used). Offline verifiers accept a credential only with\na list still good (``valid_until``, 24 hours after it was made) that names its offer and not\nits id: fetch it whenever you can, at least daily. Verify ``status`` with ``GET /keys``."
    ),
    gettext_noop("The signed-in account, its role grants and the subjects it speaks for"),
    gettext_noop("The signed-in account, its role grants and the subjects it speaks for."),
    gettext_noop("The signed-in volunteer's own certificates, newest first"),
    gettext_noop("The signed-in volunteer's own certificates, newest first."),
    gettext_noop("The speaker's own credit file (a person)."),
    gettext_noop("The sponsor's name, or 爱心人士（匿名） for one who asked for anonymity."),
    gettext_noop("The sponsors' roll"),
    gettext_noop(
        "The sponsors' roll: the named sponsors ranked by what they paid, with their projects and\ntitle sponsorships; every anonymous pledge in one line without a name."
    ),
    gettext_noop("The subject applies to repair a deduction after its minimum period"),
    gettext_noop("The subject applies to repair a deduction after its minimum period."),
    gettext_noop("The subject objects to a deduction within its window"),
    gettext_noop(
        "The subject objects to a deduction within its window; it stops counting until decided.\nAfter a decision, a further objection needs new ``evidence``, leaves the entry counting and\nis decided by a different reviewer."
    ),
    gettext_noop("The team or speaker dispatched to, or who declined."),
    gettext_noop("The ten sayings covered most often."),
    gettext_noop("The ten teams with the most lectures."),
    gettext_noop("The title sponsor (冠名)."),
    gettext_noop("The title sponsor's name as the public sees it, or empty."),
    gettext_noop("The title sponsor's name for the project once it has one."),
    gettext_noop("The town a credit fund belongs to; empty for the county fund."),
    gettext_noop("The value given in yuan, above zero, at most the wish's ceiling."),
    gettext_noop("The value given in yuan, once delivered."),
    gettext_noop("The version searched; null when nothing is published."),
    gettext_noop("The versions of the sayings book you may read, newest first (drafts for administrators)"),
    gettext_noop("The versions of the sayings book you may read, newest first (drafts for administrators)."),
    gettext_noop("The village, community or town (12 digits); not for an enterprise."),
    gettext_noop(
        "The wish's full record, with the resident's full name (the resident, the village's and the\ntown's officers, the claimant's speakers, auditors; a staff read is audited)."
    ),
    gettext_noop(
        "The wish's full record, with the resident's full name (the resident, the village's and the town's officers, the claimant's speakers, auditors; a staff read is audited)"
    ),
    gettext_noop("The wish, one line (at most 60 characters)."),
    gettext_noop("The working list of the meeting (audited read)"),
    gettext_noop("The working list of the meeting (audited read)."),
    gettext_noop("The year's allocations, latest first"),
    gettext_noop("The year's allocations, latest first; an officer sees those into their own town or village."),
    gettext_noop("Their lecture team."),
    gettext_noop("This is the current published book."),
    gettext_noop("Times in all; null: no limit."),
    gettext_noop("Times per holder per ``quota_period``; null: no limit."),
    gettext_noop("Title sponsorship (冠名): the whole budget while no other pledge stands."),
    gettext_noop("Title sponsorships (冠名)."),
    gettext_noop("True when lunch is served at least five days a week."),
    gettext_noop("True withdraws the name."),
    gettext_noop("Unlink an activity that has no verified hours yet (409 ``hours_verified``)"),
    gettext_noop("Unlink an activity that has no verified hours yet (409 ``hours_verified``)."),
    gettext_noop("Upcoming clinics at canteens of the county (administrators) or your town (town officers)"),
    gettext_noop("Upcoming clinics at canteens of the county (administrators) or your town (town officers)."),
    gettext_noop("Verified minutes; omit to keep what the scans give."),
    gettext_noop("Verified service minutes."),
    gettext_noop("Verify the roster and close a finished activity"),
    gettext_noop(
        "Verify the roster and close a finished activity: service records, hours and credit.\n``lines`` changes a volunteer's minutes (with a note), rating or note."
    ),
    gettext_noop("Villages not covered first, then by code."),
    gettext_noop("Volunteer numbers with a check-in but no service time."),
    gettext_noop("What the QR code holds: the token itself."),
    gettext_noop("What the ceremony's big screen shows"),
    gettext_noop(
        "What the ceremony's big screen shows: the batch's public projects, how many are claimed in\nfull, the pledges made during the ceremony (count, pledged, paid so far), the latest ten\nclaims (anonymous sponsors as 爱心人士（匿名）). Not cached."
    ),
    gettext_noop(
        "What the volunteer reads: the status while the activity is ahead; activity_cancelled, hours_pending, hours_verified, no_service or ended once it is over"
    ),
    gettext_noop("What uses the key (a script, a device)."),
    gettext_noop("What was given (one line)."),
    gettext_noop("What you may do with the order now."),
    gettext_noop("When it happened (default: now); needs a time zone."),
    gettext_noop("When the key stops working (at most 730 days ahead)."),
    gettext_noop("Whether you checked in at it."),
    gettext_noop("Whether you run this session (then ``listeners`` is filled)."),
    gettext_noop("Which villages and communities had a closed lecture in the last months (全覆盖), by town"),
    gettext_noop(
        "Which villages and communities had a closed lecture in the last months (全覆盖), by town.\n``months`` 1 to 24 (default: the county's setting); ``on`` defaults to today."
    ),
    gettext_noop("Who checked your credit"),
    gettext_noop(
        "Who checked your credit: every check of your credentials (provider, offer, time,\nchannel, result) and every redemption, newest first, and your recent credentials."
    ),
    gettext_noop("Who is on duty; listed for the call-out's organisers only."),
    gettext_noop("Who orders; an enterprise's own name when blank."),
    gettext_noop("Who viewed or changed this file (staff), newest first"),
    gettext_noop("Who viewed or changed this file (staff), newest first: for the subject itself, or staff in region."),
    gettext_noop("Whom you publish for (from the form's seats); default the first."),
    gettext_noop("Why a name was removed, excluded or withdrawn."),
    gettext_noop("Why a subject has its score"),
    gettext_noop(
        "Why a subject has its score: for the subject itself, or staff in region with a\n``purpose`` (audited, and shown to the person). ``since`` lists what changed from a date."
    ),
    gettext_noop("Why the resident wishes it (at most 500 characters)."),
    gettext_noop("Why the time differs from the scans (required then)."),
    gettext_noop("With longitude and no venue: a new site."),
    gettext_noop("Withdraw (close) a project before money came in and before the work started"),
    gettext_noop(
        "Withdraw (close) a project before money came in and before the work started; pledges\nawaiting payment are withdrawn with the same reason. 409 ``money_in`` / ``already_started``."
    ),
    gettext_noop("Withdraw a pledge (its sponsor's speaker, a publisher of the project)"),
    gettext_noop(
        "Withdraw a pledge (its sponsor's speaker, a publisher of the project): 409\n``pledge_paid`` once money is paid on it, ``already_withdrawn``."
    ),
    gettext_noop(
        "Withdraw a wish that is waiting or claimed, with the reason (the resident, or a village\nofficer of the village)."
    ),
    gettext_noop(
        "Withdraw a wish that is waiting or claimed, with the reason (the resident, or a village officer of the village)"
    ),
    gettext_noop("Withdraw before the start"),
    gettext_noop("Withdraw before the start; the first on the waiting list moves up."),
    gettext_noop("Withdraw one of your credentials (e.g. a lost card)"),
    gettext_noop("Withdraw one of your credentials (e.g. a lost card); checks answer ``revoked`` from now."),
    gettext_noop("Withdraw your team's waiting application (409 ``not_applied`` otherwise)"),
    gettext_noop("Withdraw your team's waiting application (409 ``not_applied`` otherwise)."),
    gettext_noop("Words to find in text, interpretation, topics or cases."),
    gettext_noop("XY<year>-NNNN"),
    gettext_noop("YYYY-MM"),
    gettext_noop("YYYY-MM, Beijing time."),
    gettext_noop("YYYY-MM-DD"),
    gettext_noop("YYYY-MM-DD, a meal day not past"),
    gettext_noop("YYYY-MM-DD, after the issue date"),
    gettext_noop("YYYY-MM."),
    gettext_noop("YYYY-MM: entries dated in that month"),
    gettext_noop("YYYY-Www; this week when empty"),
    gettext_noop("You run the project as its publisher."),
    gettext_noop("Your current service records, latest first"),
    gettext_noop("Your current service records, latest first."),
    gettext_noop("Your offers open when the list was made."),
    gettext_noop("Your organisation's offers in every status, with how often each was redeemed"),
    gettext_noop("Your organisation's offers in every status, with how often each was redeemed."),
    gettext_noop("Your own person file or an enterprise you represent."),
    gettext_noop("Your own reference (1–64 characters); a retry with it is idempotent."),
    gettext_noop("Your provider code."),
    gettext_noop(
        "Your score and grade and every offer in force for your kind of subject, with whether\nyou may use it now (persons need consent to scoring)."
    ),
    gettext_noop(
        "Your score and grade and every offer in force for your kind of subject, with whether you may use it now (persons need consent to scoring)"
    ),
    gettext_noop("Your volunteer profile"),
    gettext_noop(
        "Your volunteer profile: number, verified hours, stars and the hours to the next star,\ncurrent records with their points, sign-ups, teams, certificates and corrections."
    ),
    gettext_noop('Yuan, above zero, at most the county\'s ceiling (a string such as "300.00").'),
    gettext_noop("Yuan, at most two decimals, at most 5,000,000."),
    gettext_noop("Yuan, at most two decimals."),
    gettext_noop('Yuan, more than zero, at most two decimals (a string such as "3000.00").'),
    gettext_noop('Yuan, zero or more, at most two decimals (a string such as "400000.00").'),
    gettext_noop("Yuan."),
    gettext_noop(
        "`<area>:read` or `<area>:write` for areas accounts, regions, subjects, credit, volunteering, incentives; a read-only key is refused (403 scope_refused) on POST/PUT/PATCH/DELETE."
    ),
    gettext_noop("``run``: the sessions you run; ``upcoming``: planned ones in your town."),
    gettext_noop("a public state: published, claimed, in_progress, …"),
    gettext_noop("a town's region code: its projects and its villages'"),
    gettext_noop("already_in | elsewhere | speaker"),
    gettext_noop("an account code: entries with a line on it"),
    gettext_noop("an entry kind (welfare, spending, reversal, …)"),
    gettext_noop("any state, draft included"),
    gettext_noop("applied | picked | declined | withdrawn"),
    gettext_noop("base64url (no padding) of the 32-byte Ed25519 public key."),
    gettext_noop("base64url (no padding) of the sorted holder ids, concatenated."),
    gettext_noop("base64url Ed25519 signature (see the endpoint)."),
    gettext_noop("build or running."),
    gettext_noop("cook | serve | deliver"),
    gettext_noop("county, town, village, donation or other."),
    gettext_noop("county_special | town_credit | village_credit"),
    gettext_noop('created | held | existing | capped | no_consent | below | ""'),
    gettext_noop("created | held | existing | capped | no_rule, or empty"),
    gettext_noop("data | committee"),
    gettext_noop("day | week | month | year, or empty without a per-holder quota."),
    gettext_noop("day | week | month | year; required with quota_per_holder."),
    gettext_noop("department_expert | urban_professional | town_village"),
    gettext_noop("draft | publicity | awarding | published | cancelled"),
    gettext_noop("draft | published"),
    gettext_noop("eat_in | delivered"),
    gettext_noop("elderly, children, disability, …"),
    gettext_noop(
        "eligible | not_eligible | expired | invalid | wrong_provider | revoked | used (a live code already redeemed); never anything else."
    ),
    gettext_noop("eligible, or why not (a check result code)."),
    gettext_noop("excellent | good | satisfactory (default good)"),
    gettext_noop("false: a retry that returned the first record."),
    gettext_noop("flood | epidemic | cleanup | fire | other"),
    gettext_noop("generated_at in Unix seconds, as signed."),
    gettext_noop("honest | volunteer | doer"),
    gettext_noop("hospital | health | civil_affairs | other"),
    gettext_noop("in | out"),
    gettext_noop("listener | speaker"),
    gettext_noop("live: 5 minutes; card: a printed card, 30 days."),
    gettext_noop("money or goods."),
    gettext_noop("money | goods"),
    gettext_noop("money | goods | certificate"),
    gettext_noop("money | goods | certificate, or empty"),
    gettext_noop("newest | needed (most still to pledge) | raised"),
    gettext_noop("null clears it."),
    gettext_noop("null clears the quota (with quota_until)."),
    gettext_noop("null with coordinates: a new site; null alone clears it."),
    gettext_noop("online | page | redemption"),
    gettext_noop("open (sign-up open), upcoming, ongoing, finished, closed, cancelled."),
    gettext_noop("open | paid | withdrawn"),
    gettext_noop("open | upheld | dismissed"),
    gettext_noop("open, claimed, fulfilled (delivered) or confirmed (received)."),
    gettext_noop("open, claimed, fulfilled or confirmed."),
    gettext_noop("person | enterprise | individual_business"),
    gettext_noop("person | organisation"),
    gettext_noop("proposed | approved | rejected | suspended"),
    gettext_noop("proposed | removed | excluded | withdrawn | awarded"),
    gettext_noop("raised − spent − settled"),
    gettext_noop("recorded | held | capped | no_file | no_consent | below_threshold"),
    gettext_noop("recorded | missing (a meal day without a record) | no_meal"),
    gettext_noop("recorded | missing (nothing recorded yet)"),
    gettext_noop("return (to a pledge's sponsor) | project | fund"),
    gettext_noop("rongxin-incentive-export/1"),
    gettext_noop("rongxin-incentive-keys/1"),
    gettext_noop("rongxin-incentive-status/1"),
    gettext_noop("self | family"),
    gettext_noop("service | lecture | canteen | emergency | medical | legal | ..."),
    gettext_noop("site | venue | field | fishing_farm | market | other"),
    gettext_noop("study, daily, health, home or company."),
    gettext_noop("talk | theatre | pre_meal"),
    gettext_noop("transit | loans | medical | travel | shopping | government | ..."),
    gettext_noop("true puts the projects into the batch, false takes them out."),
    gettext_noop("valid | expiring | expired | none"),
    gettext_noop("valid | used (a live code that backed a redemption) | expired | revoked (withdrawn)."),
    gettext_noop("village, community, school, canteen or enterprise."),
    gettext_noop("words of the title, the sponsored title or the number"),
    gettext_noop("「爱心人士（匿名）」 for a sponsor who asked to stay anonymous."),
    gettext_noop("荣信 volunteer + credit platform. Errors are RFC 7807 problem+json."),
]
