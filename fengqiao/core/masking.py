"""Masking of personal data for roles that do not need it (个人信息保护法)."""


def mask_phone(value: str) -> str:
    """138****5678: the first three and last four digits stay."""
    digits = value.strip()
    if not digits:
        return ""
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 1)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(value: str) -> str:
    """110***********123X: the region prefix and last four characters stay."""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张** : the family name stays."""
    value = value.strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)
