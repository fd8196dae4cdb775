"""SCIM filters (RFC 7644 section 3.4.2.2) to a Django ``Q``, through scim2-filter-parser.

The library parses the filter and transpiles it; what it would let pass silently is refused
here with ``invalidFilter``: an attribute it does not know (it would drop that condition and
widen the result, across nothing but still), and a comparison a boolean cannot make. The Q
is applied to a queryset already narrowed to one organisation, so a filter can only ever
narrow it further.
"""

from django.db.models import BooleanField, CharField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.functions import Cast, NullIf
from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from accounts.models import User
from common.middleware import text_is_clean
from scim.errors import ScimError
from scim.schemas import USER_SCHEMA

MAX_FILTER_LENGTH = 1000

# (attribute, sub-attribute) → the annotation ``annotate_filterable`` gives each user.
FILTERABLE = {
    ("id", None): "scim_id",
    ("externalId", None): "scim_external_id",
    ("userName", None): "scim_user_name",
    ("displayName", None): "scim_display_name",
    ("name", "formatted"): "scim_display_name",
    ("name", "givenName"): "scim_given_name",
    ("name", "familyName"): "scim_family_name",
    ("title", None): "scim_title",
    ("emails", None): "scim_user_name",
    ("emails", "value"): "scim_user_name",
    ("emails", "type"): "scim_email_type",
    ("emails", "primary"): "scim_email_primary",
    ("active", None): "scim_active",
}
BOOLEAN_FIELDS = {"scim_active", "scim_email_primary"}
ATTRIBUTE_MAP = {
    (name, sub, uri): field
    for (name, sub), field in FILTERABLE.items()
    for uri in (None, USER_SCHEMA)
}


def annotate_filterable(users: QuerySet[User]) -> QuerySet[User]:
    """Each filterable attribute as a column; an empty text is NULL, so ``pr`` means present."""
    return users.annotate(
        scim_id=Cast("pk", CharField()),
        scim_external_id=NullIf("scim_identity__external_id", Value("")),
        scim_user_name=NullIf("email", Value("")),
        scim_display_name=NullIf("full_name", Value("")),
        scim_given_name=NullIf("scim_identity__given_name", Value("")),
        scim_family_name=NullIf("scim_identity__family_name", Value("")),
        scim_title=NullIf("job_title", Value("")),
        scim_email_type=Value("work", output_field=CharField()),
        scim_email_primary=Value(True, output_field=BooleanField()),
        scim_active=ExpressionWrapper(
            Q(status__in=[User.Status.INVITED, User.Status.ACTIVE]), output_field=BooleanField()
        ),
    )


def _invalid(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


def _path_text(node: ast.AttrPath) -> str:
    sub = f".{node.sub_attr.value}" if node.sub_attr else ""
    return f"{node.attr_name}{sub}"


def _boolean(value) -> bool:
    # Entra ID writes booleans as "True" and "False".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _invalid("Compare a boolean attribute with true or false.")


class _StrictTranspiler(Transpiler):
    def visit_AttrPath(self, node):
        field = super().visit_AttrPath(node)
        if field is None:
            raise _invalid(f"Filtering on {_path_text(node)} is not supported.")
        return field

    def visit_AttrExpr(self, node):
        if isinstance(node.attr_path.attr_name, ast.Filter):
            return super().visit_AttrExpr(node)
        field = self.visit(node.attr_path)
        if field not in BOOLEAN_FIELDS:
            return super().visit_AttrExpr(node)
        operator = node.value.lower()
        if operator == "pr":
            return Q(**{f"{field}__isnull": False})
        if operator not in ("eq", "ne"):
            raise _invalid(f"A boolean is compared with eq or ne, not {operator}.")
        query = Q(**{field: _boolean(self.visit(node.comp_value))})
        return ~query if operator == "ne" else query


def filter_query(text: str) -> Q:
    """The ``Q`` of a SCIM filter, or a ScimError 400 ``invalidFilter`` naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise _invalid("The filter is empty.")
    if len(text) > MAX_FILTER_LENGTH or not text_is_clean(text):
        raise _invalid("The filter is too long or holds control characters.")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
        query = _StrictTranspiler(ATTRIBUTE_MAP).transpile(tree)
    except ScimError:
        raise
    except (SCIMParserError, ValueError, NotImplementedError, AttributeError, TypeError):
        # The library's errors quote its tokens, not the filter: say it in words.
        raise _invalid(
            "The filter could not be read. Write it as in RFC 7644, "
            'for example userName eq "ada@example.com".'
        ) from None
    if query is None:
        raise _invalid("The filter compares nothing.")
    return query


def users_filtered(users: QuerySet[User], text: str) -> QuerySet[User]:
    return annotate_filterable(users).filter(filter_query(text))
