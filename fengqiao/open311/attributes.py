"""The extra questions some services ask, installed by a data migration (and again by tests
whose flush empties the tables). Descriptions are Chinese like the taxonomy's names."""

from __future__ import annotations

# subcategory code -> attributes in their order: (code, datatype, required, variable,
# description, hint, [(key, name), ...])
DEFAULT_ATTRIBUTES: dict[str, list[tuple[str, str, bool, bool, str, str, list[tuple[str, str]]]]] = {
    # 电梯故障与维保
    "01.01": [
        ("building", "string", True, True, "楼栋", "如：3栋 或 3栋2单元", []),
        ("floor", "number", True, True, "楼层", "电梯停在或故障发生的楼层，地下层用负数", []),
        ("trapped", "singlevaluelist", True, True, "是否有人被困", "", [("yes", "有人被困"), ("no", "无人被困")]),
        ("emergency", "string", False, False, "有人被困请立即拨打 96333 电梯应急救援电话", "", []),
    ],
    # 垃圾清运与分类
    "02.01": [
        (
            "waste",
            "multivaluelist",
            False,
            True,
            "垃圾类型",
            "可多选",
            [("household", "生活垃圾"), ("bulky", "大件垃圾"), ("renovation", "装修垃圾"), ("recyclable", "可回收物")],
        ),
    ],
    # 消防安全隐患
    "05.03": [
        (
            "hazard",
            "singlevaluelist",
            True,
            True,
            "隐患类型",
            "",
            [
                ("charging", "楼道或室内给电动车充电"),
                ("blocked", "消防通道或安全出口堵塞"),
                ("equipment", "消防设施损坏或缺失"),
                ("other", "其他"),
            ],
        ),
    ],
    # 路灯
    "07.01": [
        ("pole_number", "string", False, True, "路灯杆编号", "灯杆上喷印的编号，如 JK-0231", []),
    ],
    # 施工与经营噪音
    "11.01": [
        ("noise_time", "datetime", False, True, "噪音发生时间", "ISO 8601，如 2026-11-27T22:30:00+08:00", []),
    ],
    # 漏水渗水
    "14.01": [
        ("affected_rooms", "text", False, True, "受影响的房间与情况", "如：卫生间天花板渗水，墙面发霉", []),
    ],
}


def install_attributes(*, attribute_model, subcategory_model) -> None:
    """Create the default attributes that are missing; rows edited in the admin stay as they are."""
    subcategories = {sub.code: sub for sub in subcategory_model.objects.filter(code__in=DEFAULT_ATTRIBUTES)}
    for code, attributes in DEFAULT_ATTRIBUTES.items():
        subcategory = subcategories.get(code)
        if subcategory is None:
            continue
        for order, (attribute_code, datatype, required, variable, description, hint, values) in enumerate(
            attributes, start=1
        ):
            attribute_model.objects.get_or_create(
                subcategory=subcategory,
                code=attribute_code,
                defaults={
                    "datatype": datatype,
                    "required": required,
                    "variable": variable,
                    "description": description,
                    "datatype_description": hint,
                    "order": order,
                    "values": [{"key": key, "name": name} for key, name in values],
                },
            )
