"""Fixed data for the synthetic county: Rongcheng's towns and the home counties of migrants.

No PyPI package carries China's town-level (乡镇/街道) names, so the 22 towns and sub-districts
of 荣成市 are kept here as a data list. Their coordinates are approximate (within a few km of
the real seats), good enough for maps and distance-based demos.

Town codes: the county code 371082, then 001–010 for the 10 sub-districts (街道) and 101–112
for the 12 towns (镇), then 000 (the statistical convention numbers 街道 from 001 and 镇 from
100). Village codes: the town's 9 digits, then 001–199 for communities (社区, 居委会) and
200–399 for villages (村, 村委会), as in the statistical division codes.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTY_CODE = "371082000000"
COUNTY_NAME = "荣成市"
COUNTY_LATITUDE = 37.165
COUNTY_LONGITUDE = 122.486
CENTRE_NAME = "荣成市新时代文明实践中心"


@dataclass(frozen=True)
class TownData:
    name: str
    code3: str  # digits 7–9 of the region code
    is_subdistrict: bool  # 街道 (urban) rather than 镇
    village_weight: float  # share of the county's villages
    people_weight: float  # average village size relative to the county's
    coastal: bool
    latitude: float
    longitude: float
    migrant_weight: float  # migrants per resident, relative (fishing, processing, industry)


TOWNS: tuple[TownData, ...] = (
    # 街道 (sub-districts), codes 001–010.
    TownData("崖头街道", "001", True, 38, 1.9, False, 37.165, 122.486, 1.6),
    TownData("城西街道", "002", True, 30, 1.5, False, 37.160, 122.430, 1.4),
    TownData("宁津街道", "003", True, 50, 1.1, True, 36.905, 122.555, 1.5),
    TownData("港湾街道", "004", True, 28, 1.4, True, 36.900, 122.430, 2.2),
    TownData("桃园街道", "005", True, 38, 1.2, True, 36.918, 122.395, 1.8),
    TownData("王连街道", "006", True, 30, 1.0, True, 36.930, 122.455, 1.2),
    TownData("东山街道", "007", True, 40, 1.0, True, 36.880, 122.500, 1.3),
    TownData("斥山街道", "008", True, 38, 1.1, True, 36.945, 122.420, 1.6),
    TownData("寻山街道", "009", True, 32, 1.0, True, 37.200, 122.600, 1.5),
    TownData("崂山街道", "010", True, 40, 0.9, True, 37.060, 122.520, 1.0),
    # 镇 (towns), codes 101–112.
    TownData("俚岛镇", "101", False, 62, 0.8, True, 37.240, 122.580, 1.2),
    TownData("成山镇", "102", False, 52, 0.8, True, 37.390, 122.560, 1.0),
    TownData("埠柳镇", "103", False, 42, 0.8, True, 37.280, 122.450, 0.7),
    TownData("港西镇", "104", False, 52, 0.8, True, 37.290, 122.340, 0.9),
    TownData("夏庄镇", "105", False, 48, 0.8, False, 37.210, 122.350, 0.5),
    TownData("崖西镇", "106", False, 50, 0.7, False, 37.140, 122.370, 0.5),
    TownData("荫子镇", "107", False, 58, 0.7, False, 37.090, 122.320, 0.4),
    TownData("滕家镇", "108", False, 58, 0.8, True, 37.050, 122.410, 0.6),
    TownData("大疃镇", "109", False, 42, 0.7, False, 37.110, 122.270, 0.4),
    TownData("上庄镇", "110", False, 48, 0.7, False, 37.020, 122.280, 0.4),
    TownData("虎山镇", "111", False, 50, 0.8, True, 36.980, 122.330, 0.8),
    TownData("人和镇", "112", False, 42, 0.8, True, 36.935, 122.360, 1.1),
)

# Residents' ID numbers: mostly issued in Rongcheng, some elsewhere in Weihai and Yantai
# (people who married or moved in). (6-digit GB/T 2260 code, weight)
RESIDENT_ADDRESS_CODES: tuple[tuple[str, float], ...] = (
    ("371082", 94.0),  # 荣成市
    ("371002", 2.0),  # 威海市环翠区
    ("371003", 1.5),  # 威海市文登区
    ("371083", 1.0),  # 乳山市
    ("370612", 0.8),  # 烟台市牟平区
    ("370687", 0.7),  # 海阳市
)

# Migrants' ID numbers: counties of other provinces that send many workers to the fishing,
# seafood processing and manufacturing of the Jiaodong coast. (code, weight)
MIGRANT_ADDRESS_CODES: tuple[tuple[str, float], ...] = (
    ("411422", 3.0),  # 河南 商丘 睢县
    ("411425", 3.0),  # 河南 商丘 虞城县
    ("411426", 3.0),  # 河南 商丘 夏邑县
    ("411525", 3.0),  # 河南 信阳 固始县
    ("411526", 2.5),  # 河南 信阳 潢川县
    ("411623", 3.0),  # 河南 周口 商水县
    ("411624", 3.0),  # 河南 周口 沈丘县
    ("411628", 2.5),  # 河南 周口 鹿邑县
    ("130923", 1.5),  # 河北 沧州 东光县
    ("130925", 1.5),  # 河北 沧州 盐山县
    ("131122", 1.5),  # 河北 衡水 武邑县
    ("230281", 2.5),  # 黑龙江 齐齐哈尔 讷河市
    ("231221", 2.0),  # 黑龙江 绥化 望奎县
    ("231222", 2.0),  # 黑龙江 绥化 兰西县
    ("231223", 2.0),  # 黑龙江 绥化 青冈县
    ("220122", 2.0),  # 吉林 长春 农安县
    ("220322", 1.5),  # 吉林 四平 梨树县
    ("220722", 1.5),  # 吉林 松原 长岭县
    ("341221", 3.0),  # 安徽 阜阳 临泉县
    ("341222", 3.0),  # 安徽 阜阳 太和县
    ("341226", 2.5),  # 安徽 阜阳 颍上县
    ("341322", 2.0),  # 安徽 宿州 萧县
    ("511321", 2.0),  # 四川 南充 南部县
    ("511324", 2.0),  # 四川 南充 仪陇县
    ("511621", 1.5),  # 四川 广安 岳池县
    ("513723", 1.5),  # 四川 巴中 平昌县
    ("620422", 1.5),  # 甘肃 白银 会宁县
    ("620523", 1.5),  # 甘肃 天水 甘谷县
    ("621121", 1.5),  # 甘肃 定西 通渭县
    ("621122", 1.5),  # 甘肃 定西 陇西县
)

# Mobile number prefixes (China Mobile, Unicom, Telecom), with weights.
MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    ("134", 2),
    ("135", 4),
    ("136", 4),
    ("137", 4),
    ("138", 5),
    ("139", 5),
    ("147", 1),
    ("150", 3),
    ("151", 3),
    ("152", 3),
    ("157", 1),
    ("158", 3),
    ("159", 3),
    ("178", 2),
    ("182", 2),
    ("183", 2),
    ("187", 3),
    ("188", 2),
    ("198", 1),
    ("130", 3),
    ("131", 3),
    ("132", 2),
    ("155", 2),
    ("156", 3),
    ("166", 1),
    ("175", 1),
    ("176", 2),
    ("185", 2),
    ("186", 3),
    ("133", 2),
    ("153", 2),
    ("173", 1),
    ("177", 2),
    ("180", 2),
    ("181", 1),
    ("189", 2),
    ("199", 1),
)
