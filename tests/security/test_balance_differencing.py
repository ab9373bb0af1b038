"""Issue 13, finding 1 through the balance: an organizer's exact counts cannot name a person's gender.

Organizers see their own convening's balance with exact counts (they plan the room with it), and
they can put anyone on their list as "planned". Counted as they are, the gender table before and
after adding one person would name that person's gender. So exact counts shown to anyone but an
admin count a sensitive attribute only for people whose individual value that viewer may see
(`auth.policy.sensitive_visible_people`); everyone else's reads "Unknown". The same holds for the
what-if lines and suggestions, the reserve's offer page and the API's balance figures.
"""
import re

from convene.diversity import classification, counting, what_if
from convene.diversity.models import DiversityTarget
from convene.extensions import db
from tests.security.world import build_world


def _gender_row(page: str, label: str) -> list[str]:
    """The cells of one row of the dashboard's gender table (invited, accepted, attended)."""
    table = page[page.index('id="dim-gender"'):]
    row = re.search(rf"<th scope=\"row\">{label}</th>(.*?)</tr>", table, re.S).group(1)
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _add_planned(client, convening, person):
    response = client.post(f"/convenings/{convening.id}/guests/add", data={
        "person_ids": [str(person.id)], "role": "participant", "priority": "first_choice"})
    assert response.status_code == 302


def test_adding_someone_as_planned_does_not_show_their_gender_in_the_counts(client, make, sign_in):
    world = build_world(make)
    bystander = make.person(gender="non_binary", country="KE")
    sign_in(world.other_organizer)
    url = f"/convenings/{world.other_convening.id}/balance"
    before = client.get(url).get_data(as_text=True)
    _add_planned(client, world.other_convening, bystander)
    after = client.get(url).get_data(as_text=True)
    assert _gender_row(after, "Non-binary") == _gender_row(before, "Non-binary")
    unknown_before, unknown_after = _gender_row(before, "Unknown"), _gender_row(after, "Unknown")
    assert int(unknown_after[0].split()[0]) == int(unknown_before[0].split()[0]) + 1
    assert "until then they count as Unknown" in after  # the page says why
    # the country is not sensitive data (it is the affiliation's): it is counted as it is
    assert "Africa" in after


def test_the_masked_tally_counts_only_what_the_viewer_may_see(app, make):
    world = build_world(make)
    convening = world.other_convening
    hidden = make.person(gender="woman", country="BR")
    make.invitation(convening, hidden, status="planned")
    classifier = classification.classification_info().classifier
    exact = counting.tallies([convening.id], classifier)[convening.id]
    masked = counting.tallies([convening.id], classifier,
                              mask=counting.mask_for(world.other_organizer))[convening.id]
    admin = counting.tallies([convening.id], classifier, mask=counting.mask_for(world.admin))[convening.id]
    assert admin.counts == exact.counts
    assert masked.totals == exact.totals
    assert masked.counts["invited"]["gender"]["woman"] == exact.counts["invited"]["gender"]["woman"] - 1
    exact_gender, masked_gender = exact.counts["invited"]["gender"], masked.counts["invited"]["gender"]
    moved = sum(exact_gender[k] - masked_gender[k] for k in exact_gender if k != "unknown")
    assert moved >= 1 and masked_gender["unknown"] == exact_gender["unknown"] + moved
    assert masked.counts["invited"]["region"] == exact.counts["invited"]["region"]


def test_the_mask_follows_the_invitees_own_answer(app, make):
    """Once the person answers through their own link, their organizers count them as they are."""
    world = build_world(make)
    convening, person = world.other_convening, make.person(gender="woman")
    invitation = make.invitation(convening, person, status="accepted")
    classifier = classification.classification_info().classifier

    def women():
        tally = counting.tallies([convening.id], classifier, mask=counting.mask_for(world.other_organizer))
        return tally[convening.id].counts["accepted"]["gender"]["woman"]

    before = women()
    from convene.db_types import utcnow
    invitation.invitee_confirmed_at = utcnow()
    db.session.commit()
    assert women() == before + 1


def test_the_nationality_basis_masks_region_and_north_south_too(app, make):
    app.config["DIVERSITY_COUNTRY_FIELD"] = "nationality"
    try:
        world = build_world(make)
        convening = world.other_convening
        make.invitation(convening, make.person(nationality="KE", gender="man"), status="planned")
        classifier = classification.classification_info().classifier
        exact = counting.tallies([convening.id], classifier)[convening.id]
        masked = counting.tallies([convening.id], classifier,
                                  mask=counting.mask_for(world.other_organizer))[convening.id]
        # (the world's own unconfirmed invitee is masked too, hence "at least")
        assert masked.counts["invited"]["region"]["Africa"] <= exact.counts["invited"]["region"]["Africa"] - 1
        assert masked.counts["invited"]["north_south"]["south"] <= exact.counts["invited"]["north_south"]["south"] - 1
        assert masked.counts["invited"]["region"]["unknown"] > exact.counts["invited"]["region"]["unknown"]
    finally:
        app.config["DIVERSITY_COUNTRY_FIELD"] = "country"


def test_what_if_lines_and_suggestions_do_not_name_an_unconfirmed_persons_gender(app, make):
    world = build_world(make)
    convening = world.other_convening
    db.session.add(DiversityTarget(convening_id=convening.id, dimension="gender", kind="min_share",
                                   category="woman", value=50, stage="accepted"))
    db.session.commit()
    woman = make.invitation(convening, make.person(gender="woman"), status="invited")
    organizer, admin = world.other_organizer, world.admin
    make.invitation(convening, make.person(gender="man"), status="accepted")

    def share_change(viewer) -> tuple[int, int]:
        line, = what_if.balance_change_if_accepted(convening, woman, viewer)
        before, after = re.findall(r"(\d+)%", line)[:2]
        return int(before), int(after)

    assert share_change(admin) == (0, 50)  # the admin may know she is a woman: the share would rise
    assert share_change(organizer) == (0, 0)  # to her organizer she is unknown until she answers herself

    classifier = classification.classification_info().classifier
    from convene.diversity.targets import effective_targets, evaluate
    for viewer, named in ((admin, True), (organizer, False)):
        tally = counting.tallies([convening.id], classifier, mask=counting.mask_for(viewer))[convening.id]
        results = evaluate(effective_targets(convening), tally)
        found = what_if.suggestions(convening, results, tally, classifier, viewer)
        people = [s.invitation.id for group in found for s in group.suggestions]
        assert (woman.id in people) is named


def test_the_api_balance_of_an_organizer_is_masked_too(app, make):
    from convene.api.private import balance
    world = build_world(make)
    convening = world.other_convening
    make.invitation(convening, make.person(gender="self_described"), status="planned")

    def invited(user, category):
        figures = balance(user, convening)
        gender = next(d for d in figures["dimensions"] if d["dimension"] == "gender")
        invited_stage = next(s for s in gender["stages"] if s["stage"] == "invited")
        return next(c["count"] for c in invited_stage["cells"] if c["category"] == category)

    assert invited(world.admin, "self_described") == invited(world.other_organizer, "self_described") + 1
