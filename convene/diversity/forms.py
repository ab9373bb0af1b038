"""Forms of the diversity area: balance targets and classification overrides."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..base.countries import country_choices
from ..db_types import choices
from ..forms import no_control_characters, valid_country
from .models import Dimension, Stage, TargetKind
from .categories import target_categories


def category_choices() -> list:
    """Blank first, then every category a target may name, grouped by dimension ("gender:woman")."""
    groups: dict[str, list[tuple[str, str]]] = {"": [("", "— none (for “no category above” or “represented”) —")]}
    for dimension in Dimension:
        groups[dimension.label] = [(f"{dimension.value}:{v}", label) for v, label in target_categories(dimension.value)]
    return groups


class TargetForm(FlaskForm):
    """One balance target; the service checks it against the other targets."""

    dimension = SelectField("Dimension", choices=[("", "Choose a dimension"), *choices(Dimension)],
                            validators=[DataRequired("Choose a dimension.")])
    kind = SelectField("Kind of target", choices=[("", "Choose a kind of target"), *choices(TargetKind)],
                       validators=[DataRequired("Choose a kind of target.")])
    category = SelectField("Category", choices=[], validate_choice=False,
                           description="Needed for “at least” and “at most” one category.")
    value = IntegerField("Value", validators=[InputRequired("Enter a number.")],
                         description="A percentage from 0 to 100, or the number of categories for “represented”.")
    stage = SelectField("Stage", choices=choices(Stage), default=Stage.ACCEPTED.value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices()

    def validate_category(self, field) -> None:
        valid = {value for group in category_choices().values() for value, _ in group}
        if field.data not in valid:
            raise ValidationError("Choose a category from the list.")
        if self.kind.data in (TargetKind.MIN_SHARE.value, TargetKind.MAX_SHARE.value):
            if not field.data:
                raise ValidationError("Choose the category this share is about.")
            if field.data.split(":", 1)[0] != self.dimension.data:
                raise ValidationError(f"That category is not a {Dimension(self.dimension.data).label} "
                                      "category; choose one of the same dimension."
                                      if self.dimension.data in Dimension._value2member_map_ else
                                      "Choose a dimension first.")

    def validate_value(self, field) -> None:
        if field.data is None:
            return
        if self.kind.data == TargetKind.MIN_CATEGORIES.value:
            if field.data < 1:
                raise ValidationError("Enter at least 1 category.")
        elif not 0 <= field.data <= 100:
            raise ValidationError("A share must be a percentage from 0 to 100.")

    def target_data(self) -> dict:
        """The form's data as the service expects it (category without its dimension prefix)."""
        category = (self.category.data or "").split(":", 1)[-1] if self.category.data else ""
        return {"dimension": self.dimension.data, "kind": self.kind.data, "category": category,
                "value": self.value.data, "stage": self.stage.data}


class OverrideForm(FlaskForm):
    """Classify one country as Global North or South whatever the basis says."""

    country = SelectField("Country", choices=[], validators=[DataRequired("Choose a country."), valid_country])
    classification = SelectField("Classification", choices=[("south", "Global South"), ("north", "Global North")])
    reason = StringField("Reason", validators=[DataRequired("Say why; the reason is kept in the audit log."),
                                               Length(max=500), no_control_characters])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(blank="— choose a country —")
