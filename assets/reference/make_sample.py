"""Generate the sample reference data for 阳江市 (division 441700) in this folder.

Deterministic: a seeded ``random.Random(2026)`` and fixed lists, so running it again rewrites the
same bytes. Uses the contract's own ID-number and USCC rules and the platform's pinyin key.

    .venv/bin/python assets/reference/make_sample.py [OUT_DIR]

The test fixtures it guarantees (people, addresses, scope codes) are listed in README.md and in
FIXTURES below; change them only together with the README.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from service.contract.ids import make_id  # noqa: E402
from service.contract.uscc import ALPHABET as _ALPHABET  # noqa: E402
from service.contract.uscc import check_char, org_check_char  # noqa: E402
from service.reference import sound  # noqa: E402

SEED = 2026
PROVINCE, CITY = "广东省", "阳江市"

# -- fixtures the tests may rely on (also in README.md) -----------------------------------------
BUSY_ID = make_id("441702", date(1975, 3, 15), 31)        # 赵多企: legal rep of exactly 5 entities
DISHONEST_ID = make_id("441702", date(1980, 6, 1), 57)    # 王失信: on the dishonest list
HUAXIN_REP_ID = make_id("441704", date(1978, 1, 20), 13)  # 陈国强: rep of 阳江市华信科技有限公司 only
# people the platform tests use as fresh applicants: never a legal rep or dishonest here
RESERVED_IDS = {make_id("441702", date(1985, 4, 12), 31), make_id("441702", date(1990, 9, 3), 42)}

ADDRESS_OK = "441702000001"
ADDRESS_NEGATIVE = ("441702000002", "441781000002", "441721000002")  # protected zones
ADDRESS_CROWDED = {"441702000003": 12, "441704000002": 15, "441781000003": 10}  # code: entities
CROWDED_LIMIT = 10   # every other address hosts fewer than this
MANY_ENTITIES = 5    # the busy person holds exactly this many; everybody else fewer
ENTITY_COUNT = 2000
DISHONEST_COUNT = 50

def _uscc(division: str, body8: str) -> str:
    first17 = "91" + division + body8 + org_check_char(body8)
    return first17 + check_char(first17)



# -- divisions -----------------------------------------------------------------------------------
DIVISIONS = [("441700", "阳江市", ""), ("441702", "江城区", "441700"), ("441704", "阳东区", "441700"),
             ("441721", "阳西县", "441700"), ("441781", "阳春市", "441700")]
DIV_NAME = {c: n for c, n, _ in DIVISIONS}

# -- streets: division -> [(street, text between district and street, kind)] ---------------------
# kind "road": buildings are numbers on the road; kind "town": the street column is a town and
# buildings are "<road or village><n>号" within it.
STREETS: dict[str, list[tuple[str, str, str]]] = {
    "441702": [(s, "", "road") for s in (
        "东风一路", "东风二路", "东风三路", "新江北路", "新江中路", "新江南路", "南恩路", "漠阳路", "金山路",
        "西平北路", "石湾北路", "石湾南路", "安宁路", "二环路", "河堤路", "江华路", "鸿业路", "银岭大道")]
    + [("双捷镇", "", "town"), ("埠场镇", "", "town")],
    "441704": [(s, "东城镇", "road") for s in (
        "东华路", "东汇路", "东安路", "东湖路", "东城一路", "东城二路", "人民路", "金辉路")]
    + [(t, "", "town") for t in ("合山镇", "北惯镇", "那龙镇", "雅韶镇", "大沟镇", "新洲镇", "塘坪镇", "东平镇")],
    "441781": [(s, "春城街道", "road") for s in (
        "春州大道", "朝阳路", "东湖路", "中山路", "迎宾大道", "河西路", "兴华路", "碧桂园大道")]
    + [(t, "", "town") for t in ("合水镇", "春湾镇", "马水镇", "岗美镇", "潭水镇", "八甲镇", "松柏镇")],
    "441721": [(s, "织篢镇", "road") for s in (
        "人民大道", "中山路", "西湖路", "兴华路", "文化路", "城北大道", "新城大道")]
    + [(t, "", "town") for t in ("沙扒镇", "上洋镇", "溪头镇", "儒洞镇", "程村镇")],
}
TOWN_PLACES = ["圩镇中心路", "墟镇新街", "兴业路", "商业街", "工业大道", "东兴路", "南华路", "建设路",
               "新村", "东村", "南山村", "龙湾村", "石桥村", "大塘村", "水口村"]
BUILDING_NAMES = ["金源大厦", "国贸大厦", "富华广场", "锦江商厦", "汇景商务楼", "东方明珠花园", "金辉花园",
                  "银海商务中心", "漠阳商业广场", "鸿泰商业城", "新世纪广场", "时代广场", "万利商业大厦",
                  "恒福大厦", "嘉华商务楼", "港湾花园", "翠湖花园", "南恩大厦", "商会大厦", "金山商业中心",
                  "电子商务产业园", "五金刀剪产业园", "科技企业孵化器", "物流园", "农贸市场", "建材城",
                  "综合楼", "商住楼", "利民市场", "阳光大厦", "财富中心", "海景大厦", "丰泽花园", "江南公寓"]
# fixture addresses: (division, street, building, unit, code, negative, note)
FIXED_ADDRESSES = [
    ("441702", "东风二路", "88号华润大厦", "1201室", ADDRESS_OK, 0, ""),
    ("441702", "双捷镇", "漠阳江饮用水源保护区1号", "", "441702000002", 1, "负面清单：漠阳江饮用水源一级保护区"),
    ("441702", "新江北路", "168号阳江市青年创业孵化基地", "3楼（集群注册）", "441702000003", 0, ""),
    ("441704", "东华路", "8号", "", "441704000001", 0, ""),
    ("441704", "东汇路", "28号阳东电子商务产业园", "2楼（集群注册）", "441704000002", 0, ""),
    ("441781", "春湾镇", "凌霄岩风景名胜区核心景区2号", "", "441781000002", 1, "负面清单：凌霄岩风景名胜区核心景区"),
    ("441781", "春州大道", "66号阳春市众创空间", "5楼（集群注册）", "441781000003", 0, ""),
    ("441721", "程村镇", "红树林自然保护区核心区8号", "", "441721000002", 1, "负面清单：程村红树林自然保护区核心区"),
]
NEGATIVE_BUILDING_NOTES = ["负面清单：违法建设，已列入拆除计划", "负面清单：鉴定为危险房屋（D级）",
                           "负面清单：住宅楼，不得作为经营场所登记", "负面清单：军事管理区周边禁建区"]
DISTRICT_SHARE = {"441702": 1200, "441704": 720, "441781": 640, "441721": 440}


def _units(rng: random.Random, named: bool, n: int) -> list[str]:
    out: list[str] = []
    if named:
        floors = sorted(rng.sample(range(2, 29), k=min(n, 20)))
        pool = [f"{f}{r:02d}室" for f in floors for r in range(1, 13)]
        shops = [f"首层A{i:02d}号铺" for i in range(1, 13)] + [f"二层{200 + i}号" for i in range(1, 20)]
        cand = rng.sample(pool, k=min(len(pool), n)) + rng.sample(shops, k=3)
    else:
        cand = ["首层", "首层之一", "首层之二", "二楼", "三楼", "首层101号铺", "首层102号铺", "201房", "301房",
                "401房", "之一", "之二", ""]
    for u in cand:
        if u not in out:
            out.append(u)
        if len(out) >= n:
            break
    return out


def make_addresses(rng: random.Random) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    texts: set[str] = set()
    prefixes = {d: {s: p for s, p, _ in streets} for d, streets in STREETS.items()}

    def add(division: str, street: str, building: str, unit: str, code: str, negative: int, note: str) -> None:
        text = f"{PROVINCE}{CITY}{DIV_NAME[division]}{prefixes[division][street]}{street}{building}{unit}"
        if text in texts:
            return
        texts.add(text)
        rows.append({"code": code, "division": division, "text": text, "negative": str(negative),
                     "street": street, "building": building, "unit": unit, "note": note})

    for division, street, building, unit, code, negative, note in FIXED_ADDRESSES:
        add(division, street, building, unit, code, negative, note)
    used_numbers = {(d, s, b.split("号")[0]) for d, s, b, *_ in FIXED_ADDRESSES}

    for division, quota in DISTRICT_SHARE.items():
        streets = STREETS[division]
        per_street = quota // len(streets)
        for street, _prefix, kind in streets:
            count = 0
            while count < per_street:
                if kind == "road":
                    number = str(rng.randrange(1, 300))
                    if (division, street, number) in used_numbers:
                        continue
                    used_numbers.add((division, street, number))
                    named = rng.random() < 0.45
                    building = f"{number}号" + (rng.choice(BUILDING_NAMES) if named else "")
                else:
                    place = rng.choice(TOWN_PLACES)
                    number = str(rng.randrange(1, 200))
                    if (division, street, place + number) in used_numbers:
                        continue
                    used_numbers.add((division, street, place + number))
                    named = False
                    building = f"{place}{number}号"
                units = _units(rng, named, rng.randrange(8, 16) if named else rng.randrange(2, 7))
                for unit in units:
                    before = len(rows)
                    add(division, street, building, unit, "", 0, "")
                    count += len(rows) - before
    # the ordinary fixture buildings get a few more units so the picker shows them like any other
    for division, street, building, unit, _code, negative, _note in FIXED_ADDRESSES:
        if negative or "集群" in unit:
            continue
        for extra in _units(rng, "大厦" in building, 6):
            add(division, street, building, extra, "", 0, "")

    # about 1.5 % negative: whole buildings (3 + 40-odd units) with a stated reason
    candidates = sorted({(r["division"], r["street"], r["building"]) for r in rows if not r["code"]})
    rng.shuffle(candidates)
    negative_units = 0
    for key in candidates:
        if negative_units >= 42:
            break
        in_building = [row for row in rows if (row["division"], row["street"], row["building"]) == key
                       and not row["code"]]
        if not 3 <= len(in_building) <= 9:
            continue
        note = rng.choice(NEGATIVE_BUILDING_NOTES)
        for row in in_building:
            row["negative"], row["note"] = "1", note
        negative_units += len(in_building)

    # codes: fixtures keep theirs; the rest numbered per division from 000010 in generation order
    per_division: Counter[str] = Counter()
    for row in rows:
        if not row["code"]:
            per_division[row["division"]] += 1
            row["code"] = f"{row['division']}{9 + per_division[row['division']]:06d}"
    rows.sort(key=lambda r: r["code"])
    return rows


# -- business scope catalogue ----------------------------------------------------------------
SECTIONS = {"A": "农、林、牧、渔业", "C": "制造业", "D": "电力、热力、燃气及水生产和供应业", "E": "建筑业",
            "F": "批发和零售业", "G": "交通运输、仓储和邮政业", "H": "住宿和餐饮业",
            "I": "信息传输、软件和信息技术服务业", "J": "金融业", "K": "房地产业", "L": "租赁和商务服务业",
            "M": "科学研究和技术服务业", "N": "水利、环境和公共设施管理业", "O": "居民服务、修理和其他服务业",
            "P": "教育", "Q": "卫生和社会工作", "R": "文化、体育和娱乐业"}
# "CLASS PERMIT TEXT | keywords": CLASS is the GB/T 4754-2017 section letter + 4-digit class; items
# of one class are numbered -001, -002 … in the order written. Order matters: codes are stable.
SCOPE_LINES = """
A0111 none 谷物种植 | 水稻 粮食
A0141 none 蔬菜种植 | 种菜
A0159 none 水果种植 | 果园 荔枝 龙眼
A0164 none 茶叶种植 | 茶园
A0143 none 花卉种植 | 花木 苗木
A0171 none 中草药种植 | 南药 药材
A0142 none 食用菌种植 | 蘑菇
A0313 post 牲畜饲养 | 养猪 养牛
A0321 post 家禽饲养 | 养鸡 养鸭
A0411 post 水产养殖 | 养鱼 养虾 蚝 生蚝
A0411 post 水产苗种生产 | 鱼苗 虾苗
A0421 post 渔业捕捞 | 捕鱼 渔船 出海
F5112 post 农作物种子经营 | 种子
A0512 none 农业机械服务 | 农机
A0519 none 农业专业及辅助性活动 | 农业服务
A0514 none 农产品的生产、销售、加工、运输、贮藏及其他相关服务 | 农产品
A0519 none 智能农业管理 | 智慧农业
A0539 none 畜牧专业及辅助性活动 | 畜牧
A0549 none 渔业专业及辅助性活动 | 渔业服务
C1361 none 水产品初加工 | 海产 冻品 鱼干 虾干
C1469 post 食品生产 | 食品厂 豆豉 调味品 加工
C1469 post 食品添加剂生产 | 添加剂
C1411 post 食品小作坊经营 | 作坊 糕点 豆豉
C1529 post 饮料生产 | 饮料 凉茶
C1530 post 茶叶制品生产 | 茶叶加工
C1512 post 酒制品生产 | 酿酒
C1620 pre 烟草制品生产 | 卷烟 烟厂
C1819 none 服装制造 | 制衣 服装厂
C1830 none 服饰制造 | 服饰
C1951 none 鞋制造 | 制鞋
C1922 none 箱包制造 | 箱包
C2110 none 家具制造 | 家私 木器
C2231 none 纸制品制造 | 纸箱 纸盒
C2319 post 包装装潢印刷品印刷 | 印刷 包装印刷
C2319 post 文件、资料等其他印刷品印刷 | 印刷 复印 打印
C2311 post 出版物印刷 | 印书
C2439 none 工艺美术品及礼仪用品制造（象牙及其制品除外） | 工艺品
C2671 pre 民用爆炸物品生产 | 炸药 雷管 爆破器材
C2619 post 危险化学品生产 | 化工厂 危化品
C2662 none 专用化学产品制造（不含危险化学品） | 化工
C2682 post 化妆品生产 | 化妆品厂
C2927 none 塑料制品制造 | 塑料 胶袋
C2927 post 食品用塑料包装容器工具制品生产 | 食品包装
C3024 none 轻质建筑材料制造 | 建材
C3311 none 金属结构制造 | 钢结构
C3312 none 金属门窗制造 | 铝合金门窗 不锈钢
C3324 none 刀具制造 | 刀剪 菜刀 剪刀 刀具厂
C3324 none 金属工具制造 | 刀剪 五金工具
C3381 none 金属制日用品制造 | 厨具 锅 不锈钢制品
C3381 none 日用杂品制造 | 日用品
C3389 none 五金产品制造 | 五金 五金厂
C3389 none 五金产品研发 | 五金研发
C3389 none 厨具卫具及日用杂品研发 | 厨具研发
C3399 none 金属材料制造 | 金属
C3499 none 通用设备制造（不含特种设备制造） | 机械 设备
C3599 none 专用设备制造（不含许可类专业设备制造） | 机械 设备
C3411 post 特种设备制造 | 锅炉 压力容器 电梯
C3525 none 模具制造 | 模具
C3575 none 渔业机械制造 | 渔机
C3572 none 农业机械制造 | 农机
C3731 none 船舶制造 | 造船
C3735 none 船舶改装 | 船舶
C3737 none 海洋工程装备制造 | 海工 海上风电
C3812 none 电机制造 | 马达
C3859 none 家用电器制造 | 家电
C3859 none 家用电器研发 | 家电研发
C3872 none 照明器具制造 | 灯具 灯饰
C3981 none 电子元器件制造 | 电子 元件
C3911 none 计算机软硬件及外围设备制造 | 电脑
C3921 none 通信设备制造 | 通讯设备
C3670 none 汽车零部件及配件制造 | 汽配
C3752 none 摩托车零配件制造 | 摩配
C4190 none 增材制造 | 3D打印
C4210 none 再生资源加工 | 废旧 回收
D4420 post 发电业务、输电业务、供（配）电业务 | 发电 供电 售电
D4415 none 风力发电技术服务 | 风电
D4416 none 太阳能发电技术服务 | 光伏 太阳能
D4419 none 储能技术服务 | 储能
D4511 post 燃气经营 | 煤气 液化气 天然气
D4610 post 自来水生产与供应 | 供水
E4790 post 建设工程施工 | 建筑 施工 工程
E4790 post 建筑劳务分包 | 劳务 包工
E5012 post 住宅室内装饰装修 | 装修 家装
E4790 post 施工专业作业 | 施工
E5021 post 建筑物拆除作业（爆破作业除外） | 拆除 拆迁
E4910 post 电气安装服务 | 电工 水电
E4999 post 特种设备安装改造修理 | 电梯安装 锅炉
E4891 none 园林绿化工程施工 | 绿化 园林
E5022 none 土石方工程施工 | 土方
E4999 none 普通机械设备安装服务 | 设备安装
E4991 none 体育场地设施工程施工 | 球场
E5011 none 金属门窗工程施工 | 门窗
E5090 none 对外承包工程 | 海外工程
E5090 none 家具安装和维修服务 | 家具安装
E4862 none 环保工程施工 | 环保工程
F5211 none 日用百货销售 | 百货 日用品 杂货
F5212 none 超级市场零售 | 超市
F5213 none 便利店零售 | 士多 小卖部
F5219 none 日用品销售 | 日用品
F5219 none 日用杂品销售 | 杂货
F5229 post 食品销售 | 食品 副食 零食
F5229 none 食品销售（仅销售预包装食品） | 预包装 零食
F5225 none 保健食品（预包装）销售 | 保健品
F5229 none 婴幼儿配方乳粉及其他婴幼儿配方食品销售 | 奶粉
F5226 post 酒类经营 | 酒 白酒 红酒
F5239 none 茶具销售 | 茶具
F5227 post 烟草制品零售 | 香烟 烟草
F5128 pre 烟草专卖品批发 | 烟草批发
F5292 post 食品互联网销售 | 网上卖食品
F5292 none 互联网销售（除销售需要许可的商品） | 网店 电商 淘宝 网上销售
F5223 none 新鲜水果零售 | 水果店 生果
F5223 none 新鲜蔬菜零售 | 菜档 蔬菜
F5123 none 新鲜水果批发 | 水果批发
F5123 none 新鲜蔬菜批发 | 蔬菜批发
F5224 none 食用农产品零售 | 农产品 肉 蛋
F5124 none 食用农产品批发 | 农产品批发
F5224 none 水产品零售 | 海鲜 鱼档 海产
F5124 none 水产品批发 | 海鲜批发 海产批发
F5124 none 水产品收购 | 收海鲜
F5119 none 初级农产品收购 | 收购
F5119 none 农副产品销售 | 土特产
F5111 post 粮食收购 | 收粮
F5121 none 粮油零售? | 粮油
F5226 none 茶叶零售? | 茶叶
F5232 none 服装服饰零售 | 服装 衣服 时装
F5132 none 服装服饰批发 | 服装批发
F5233 none 鞋帽零售 | 鞋 帽
F5133 none 鞋帽批发 | 鞋帽批发
F5231 none 针纺织品销售 | 布料 纺织品
F5234 none 化妆品零售 | 化妆品 护肤品
F5134 none 化妆品批发 | 化妆品批发
F5234 none 个人卫生用品销售 | 卫生用品
F5234 none 卫生用品和一次性使用医疗用品销售 | 口罩 卫生巾
F5235 none 厨具卫具及日用杂品零售 | 厨具 刀剪
F5135 none 厨具卫具及日用杂品批发 | 厨具批发 刀剪批发
F5236 none 钟表销售 | 手表
F5236 none 眼镜销售（不含隐形眼镜） | 眼镜店
F5237 none 箱包销售 | 箱包 手袋
F5238 none 助动自行车、代步车及零配件销售 | 电动车 自行车
F5238 none 电动自行车销售 | 电单车 电动车
F5281 none 五金产品零售 | 五金 五金店
F5174 none 五金产品批发 | 五金批发
F5174 none 金属工具销售 | 刀剪 工具
F5235 none 刀具销售 | 刀剪 菜刀 刀具
F5174 none 金属制品销售 | 不锈钢
F5165 none 建筑材料销售 | 建材 水泥 钢材
F5287 none 建筑装饰材料销售 | 瓷砖 装饰材料
F5284 none 涂料销售（不含危险化学品） | 油漆 涂料
F5285 none 卫生洁具销售 | 洁具
F5283 none 家具销售 | 家私
F5282 none 灯具销售 | 灯饰
F5282 none 照明器具销售 | 照明
F5272 none 家用电器销售 | 家电 电器
F5272 none 家用电器零配件销售 | 家电配件
F5279 none 电子产品销售 | 电子
F5279 none 电子元器件零售 | 元器件
F5179 none 电子元器件批发 | 元器件批发
F5273 none 计算机软硬件及辅助设备零售 | 电脑 电脑城
F5176 none 计算机软硬件及辅助设备批发 | 电脑批发
F5274 none 通讯设备销售 | 手机 手机店
F5274 none 移动终端设备销售 | 手机
F5279 none 智能家庭消费设备销售 | 智能家居
F5279 none 可穿戴智能设备销售 | 手环
F5179 none 安防设备销售 | 监控 摄像头
F5179 none 信息安全设备销售 | 防火墙
F5241 none 办公用品销售 | 文具 办公
F5241 none 文具用品零售 | 文具店
F5141 none 文具用品批发 | 文具批发
F5242 none 体育用品及器材零售 | 体育用品 球
F5142 none 体育用品及器材批发 | 体育用品批发
F5249 none 玩具销售 | 玩具
F5249 none 玩具、动漫及游艺用品销售 | 动漫
F5249 none 游艺及娱乐用品销售 | 游艺
F5245 none 珠宝首饰零售 | 金银首饰 黄金
F5146 none 珠宝首饰批发 | 首饰批发
F5246 none 工艺美术品及收藏品零售（象牙及其制品除外） | 工艺品 收藏品
F5243 post 出版物零售 | 书店 图书
F5143 post 出版物批发 | 图书批发
F5292 post 出版物互联网销售 | 网上书店
F5251 post 药品零售 | 药店 药房
F5151 post 药品批发 | 医药批发
F5254 none 第一类医疗器械销售 | 医疗器械
F5254 none 第二类医疗器械销售 | 医疗器械 血压计
F5254 post 第三类医疗器械经营 | 医疗器械
F5254 none 消毒剂销售（不含危险化学品） | 消毒水
F5253 post 兽药经营 | 兽药
F5166 none 肥料销售 | 化肥
F5167 post 农药零售 | 农药
F5167 post 农药批发 | 农药批发
F5113 none 饲料原料销售 | 饲料
F5113 none 畜牧渔业饲料销售 | 饲料 鱼料
F5297 none 宠物食品及用品零售 | 宠物店
F5192 none 宠物食品及用品批发 | 宠物用品批发
F5261 none 汽车新车销售 | 汽车 4S店
F5261 none 新能源汽车整车销售 | 电动汽车 新能源车
F5262 none 二手车经纪 | 二手车
F5262 none 二手车经销 | 二手车 旧车
F5263 none 汽车零配件零售 | 汽配
F5172 none 汽车零配件批发 | 汽配批发
F5264 none 摩托车及零配件零售 | 摩托车
F5265 post 成品油零售（不含危险化学品） | 加油站 柴油
F5162 none 成品油批发（不含危险化学品） | 柴油 燃料油
F5162 none 石油制品销售（不含危险化学品） | 石油制品
F5162 none 润滑油销售 | 机油
F5161 none 煤炭及制品销售 | 煤
F5169 post 危险化学品经营 | 危化品 化工原料
F5169 none 化工产品销售（不含许可类化工产品） | 化工 化工原料
F5169 pre 民用爆炸物品销售 | 炸药 雷管
F5199 pre 民用枪支（弹药）配售 | 枪支
F5296 post 燃气经营（瓶装液化石油气零售）? | 煤气 液化气
F5267 none 充电桩销售 | 充电桩
F5179 none 光伏设备及元器件销售 | 光伏
F5179 none 风力发电机组及零部件销售 | 风电设备
F5179 none 海上风电相关装备销售 | 海上风电
F5179 none 机械设备销售 | 设备
F5171 none 农业机械销售 | 农机
F5179 none 渔业机械销售 | 渔机
F5179 none 船舶销售 | 渔船
F5179 none 模具销售 | 模具
F5169 none 塑料制品销售 | 塑料
F5199 none 包装材料及制品销售 | 包装
F5191 none 再生资源回收（除生产性废旧金属） | 废品 回收 收破烂
F5191 none 生产性废旧金属回收 | 废铁 废金属
F5191 none 再生资源销售 | 废旧物资
F5181 none 国内贸易代理 | 贸易代理
F5181 none 进出口代理 | 外贸代理
F5181 none 货物进出口 | 进出口 外贸
F5181 none 技术进出口 | 技术出口
F5182 post 拍卖业务 | 拍卖
F5295 none 旧货零售? | 二手
F5294 none 自动售货机销售? | 售货机
G5431 post 道路货物运输（不含危险货物） | 货运 货车 拉货
G5431 post 道路货物运输（网络货运） | 网络货运 物流平台
G5435 post 道路危险货物运输 | 危险品运输
G5421 post 道路旅客运输经营 | 客运 大巴
G5413 post 网络预约出租汽车经营服务 | 网约车
G5413 post 巡游出租汽车经营服务 | 的士 出租车
G5442 post 道路货物运输站经营 | 货运站
G5437 none 城市配送运输服务（不含危险货物） | 配送 同城配送
G5438 none 搬家服务? | 搬家
G5522 post 水路普通货物运输 | 船运 航运
G5532 post 港口经营 | 码头
G5532 none 港口货物装卸搬运活动 | 码头装卸
G5539 none 国内船舶代理 | 船代
G5539 post 国内船舶管理业务 | 船舶管理
G5821 none 国内货物运输代理 | 货代 物流
G5821 none 国际货物运输代理 | 国际货代
G5910 none 装卸搬运 | 搬运 装卸
G5920 none 普通货物仓储服务（不含危险化学品等需许可审批的项目） | 仓库 仓储
G5930 none 低温仓储（不含危险化学品等需许可审批的项目） | 冷库 冻库
G5942 post 危险化学品仓储 | 危化品仓库
G6020 post 快递服务 | 快递 速递
G5449 none 停车场服务 | 停车
H6110 post 住宿服务 | 酒店 宾馆 旅馆 民宿
H6110 none 酒店管理 | 酒店
H6130 none 民宿服务? | 民宿
H6140 none 露营地服务 | 露营
H6210 post 餐饮服务 | 饭店 餐馆 酒楼 饮食 大排档
H6210 none 餐饮管理 | 餐饮
H6241 none 餐饮配送服务? | 配餐
H6242 none 外卖递送服务 | 外卖
H6231 none 茶馆服务? | 茶馆
I6511 none 软件开发 | 软件 编程 程序 APP 小程序
I6511 none 软件销售 | 软件
I6513 none 人工智能应用软件开发 | 人工智能 AI
I6513 none 网络与信息安全软件开发 | 网络安全
I6513 none 数字文化创意软件开发 | 数字创意
I6519 none 区块链技术相关软件和服务 | 区块链
I6531 none 信息系统集成服务 | 系统集成 弱电
I6532 none 物联网技术服务 | 物联网
I6540 none 信息系统运行维护服务 | 运维
I6550 none 数据处理和存储支持服务 | 数据 存储
I6560 none 信息技术咨询服务 | IT咨询
I6572 none 数字内容制作服务（不含出版发行） | 动漫 数字内容
I6579 none 数字文化创意内容应用服务 | 数字文化
I6599 none 计算机系统服务 | 电脑维护
I6599 none 网络技术服务 | 网络 网站
I6599 none 5G通信技术服务 | 5G
I6450 none 互联网数据服务 | 数据中心
I6432 none 互联网销售平台服务? | 平台
I6319 post 第二类增值电信业务 | 电信 ICP 呼叫中心
I6319 post 第一类增值电信业务 | 电信 数据中心 IDC
I6311 post 基础电信业务 | 电信运营
I6429 post 互联网信息服务 | ICP 网站
I6422 post 网络文化经营 | 网络游戏 直播
I6591 none 呼叫中心（不含许可类业务）? | 客服
J6639 pre 融资担保业务 | 担保
J6760 none 以自有资金从事投资活动 | 投资
J6940 none 融资咨询服务 | 融资
J6631 post 融资租赁业务? | 租赁
K7010 post 房地产开发经营 | 房地产 开发商
K7020 none 物业管理 | 物业 管理处
K7030 none 房地产经纪 | 地产中介 房屋中介
K7030 none 房地产咨询 | 房地产咨询
K7040 none 住房租赁 | 租房
K7040 none 非居住房地产租赁 | 出租 商铺出租
K7040 none 土地使用权租赁 | 土地租赁
L7224 none 供应链管理服务 | 供应链
L7211 none 企业总部管理 | 总部
L7219 none 企业管理 | 企业管理
L7243 none 企业管理咨询 | 管理咨询 咨询
L7243 none 社会经济咨询服务 | 咨询
L7249 none 信息咨询服务（不含许可类信息咨询服务） | 信息咨询 咨询
L7243 none 市场营销策划 | 营销 策划
L7242 none 市场调查（不含涉外调查） | 市场调研
L7241 none 财务咨询 | 会计 记账
L7241 none 税务服务 | 报税
L7244 none 健康咨询服务（不含诊疗服务） | 健康咨询
L7245 none 环保咨询服务 | 环评
L7246 none 体育咨询? | 体育
L7251 none 广告设计、代理 | 广告 设计
L7259 none 广告制作 | 广告 招牌 喷画
L7259 none 广告发布 | 广告
L7262 post 职业中介活动 | 中介 找工作
L7263 post 劳务派遣服务 | 劳务派遣
L7269 none 人力资源服务（不含职业中介活动、劳务派遣服务） | 人力资源 猎头
L7269 none 劳务服务（不含劳务派遣） | 劳务
M7540 none 创业空间服务 | 众创空间 孵化器
L7271 pre 保安服务 | 保安 护卫
L7272 none 安全系统监控服务 | 监控
L7272 none 安全技术防范系统设计施工服务 | 安防工程
L7284 none 会议及展览服务 | 会展 展会 会议
L7289 none 组织文化艺术交流活动 | 文化交流
L7289 none 礼仪服务 | 庆典 礼仪
L7289 none 婚庆礼仪服务 | 婚庆
L7291 post 旅游业务 | 旅行社
L7291 none 旅行社服务网点旅游招徕、咨询服务 | 旅游咨询
L7292 none 包装服务 | 打包
L7293 none 办公服务 | 文印
L7293 none 打字复印 | 复印 打印
L7294 none 翻译服务 | 翻译
L7295 pre 个人征信业务 | 征信
L7295 none 企业信用管理咨询服务 | 信用
L7297 none 商务代理代办服务 | 代办 代理
L7298 none 票务代理服务 | 票务
L7298 none 旅客票务代理 | 机票 车票
O8219 none 专业保洁、清洗、消毒服务 | 保洁 清洁
L7111 none 汽车租赁 | 租车
L7111 none 小微型客车租赁经营服务 | 租车
L7113 none 建筑工程机械与设备租赁 | 挖机出租 机械租赁
L7119 none 机械设备租赁 | 设备租赁
L7130 none 柜台、摊位出租 | 档口出租
L7121 none 休闲娱乐用品设备出租 | 出租
M7320 none 技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广 | 技术服务 技术开发 科技
M7320 none 工程和技术研究和试验发展 | 研发
M7310 none 自然科学研究和试验发展 | 科研
M7330 none 农业科学研究和试验发展 | 农业科研
M7340 none 医学研究和试验发展 | 医学研究
M7452 post 检验检测服务 | 检测 检验
M7452 post 机动车检验检测服务 | 车检 年审
M7451 post 特种设备检验检测 | 特检
M7453 none 计量技术服务 | 计量
M7454 none 标准化服务 | 标准
M7455 none 认证咨询 | 认证
M7461 none 环境保护监测 | 环境监测
M7481 none 工程管理服务 | 工程管理
M7482 post 建设工程监理 | 监理
M7483 post 建设工程勘察 | 勘察
M7484 post 建设工程设计 | 工程设计
M7485 none 规划设计管理 | 规划
M7449 post 测绘服务 | 测绘
M7491 none 工业设计服务 | 工业设计
M7492 none 专业设计服务 | 设计
M7492 none 平面设计 | 平面设计
M7492 none 图文设计制作 | 图文
M7492 none 工程和技术研究? | 研究
M7493 post 动物诊疗 | 兽医 宠物医院
M7439 none 海洋服务 | 海洋
M7511 none 农业科学研究? | 农科
M7514 none 节能管理服务 | 节能
M7514 none 合同能源管理 | 节能
M7515 none 新兴能源技术研发 | 新能源
M7515 none 海上风电相关系统研发 | 海上风电
M7513 none 新材料技术研发 | 新材料
M7520 none 知识产权服务（专利代理服务除外） | 商标 专利
M7530 none 科技中介服务 | 科技中介
M7590 none 科技推广和应用服务 | 科技推广
N7721 none 水污染治理 | 污水
N7722 none 大气污染治理 | 废气
N7723 none 固体废物治理 | 固废
N7724 post 危险废物经营 | 危废
N7820 post 城市生活垃圾经营性服务 | 垃圾 清运
N7820 post 城市建筑垃圾处置（清运） | 建筑垃圾
N7840 none 城市绿化管理 | 绿化
N7869 none 游览景区管理 | 景区 旅游景点
N7861 none 名胜风景区管理 | 风景区
O8010 none 家政服务 | 保姆 月嫂 钟点工
O8010 none 家宴服务? | 上门厨师
O8030 none 洗烫服务 | 洗衣 干洗
O8040 post 理发服务 | 理发 发廊
O8040 post 生活美容服务 | 美容 美容院
O8040 none 美甲服务 | 美甲
O8051 post 洗浴服务 | 沐足 桑拿
O8052 none 足浴服务 | 沐足 足疗
O8053 none 养生保健服务（非医疗） | 养生 按摩 推拿
O8060 none 摄影扩印服务 | 照相 影楼
O8070 none 婚姻介绍服务 | 婚介
O8090 none 居民日常生活服务 | 便民服务
O8111 none 机动车修理和维护 | 修车 汽修
O8111 none 洗车服务 | 洗车
O8113 none 摩托车及零部件研发? | 摩托车
O8121 none 计算机及办公设备维修 | 电脑维修
O8122 none 通讯设备修理 | 手机维修
O8132 none 日用电器修理 | 家电维修
O8191 none 自行车修理 | 修单车
O8192 none 鞋和皮革修理 | 补鞋
O8199 none 日用产品修理 | 修理
C4343 none 船舶修理 | 修船
O8211 none 建筑物清洁服务 | 清洁 保洁
O8229 none 宠物服务（不含动物诊疗） | 宠物 宠物美容 寄养
O8290 none 病媒生物防制服务? | 灭鼠 杀虫
P8391 none 业务培训（不含教育培训、职业技能培训等需取得许可的培训） | 培训
P8391 pre 保安培训 | 保安
P8392 none 体育健康服务 | 健身
P8394 none 教育咨询服务（不含涉许可审批的教育培训活动） | 教育咨询 留学
P8393 none 文艺创作? | 文艺
P8391 post 机动车驾驶员培训 | 驾校 学车
Q8425 post 诊所服务 | 诊所
Q8499 post 医疗服务 | 医院 门诊
Q8415 post 医疗美容服务 | 医美 整形
Q8491 none 健康管理? | 健康
Q8514 none 养老服务 | 养老院 敬老院
Q8514 none 居家养老服务 | 居家养老
O8020 none 托育服务 | 托儿所 托管
Q8512 none 护理机构服务（不含医疗服务） | 护理
R8810 none 文艺创作 | 创作
R8810 post 营业性演出 | 演出 表演
R8820 post 演出场所经营 | 剧场
R9053 post 演出经纪 | 演出经纪
R9053 none 文化娱乐经纪人服务 | 经纪人
R9051 none 文化场馆管理服务 | 场馆
R8730 post 广播电视节目制作经营 | 影视 节目制作
R8730 none 电影摄制服务 | 拍电影
R8760 post 电影放映 | 电影院
R9011 post 歌舞娱乐活动 | KTV 卡拉OK
R9012 post 游艺娱乐活动 | 游戏厅 电玩
R9013 post 互联网上网服务 | 网吧
R9019 none 棋牌室服务 | 棋牌 麻将
R9030 none 休闲观光活动 | 观光 农家乐
R8911 none 体育竞赛组织 | 比赛 赛事
R8911 none 体育赛事策划 | 赛事策划
R8921 none 体育场地设施经营（不含高危险性体育运动） | 球场 体育馆
R8930 none 健身休闲活动 | 健身房
R8930 post 高危险性体育运动（游泳） | 游泳池 泳池
R9059 none 艺（美）术品、收藏品鉴定评估服务 | 鉴定
R8623 post 出版物出版? | 出版
"""


def make_scopes() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    numbers: Counter[str] = Counter()
    seen: set[str] = set()
    for line in SCOPE_LINES.strip().splitlines():
        head, _, keywords = line.partition("|")
        cls, permit, text = head.split()
        if text.endswith("?"):  # an item I am unsure the national catalogue words this way: left out
            continue
        if text in seen:
            raise ValueError(f"duplicate scope text {text}")
        seen.add(text)
        numbers[cls] += 1
        rows.append({"code": f"{cls}-{numbers[cls]:03d}", "text": text, "permit": permit,
                     "category": SECTIONS[cls[0]], "keywords": keywords.strip()})
    return rows


# -- prohibited words in company names ------------------------------------------------------
PROHIBITED_WORDS = """
# 需国务院或总局批准方可使用（企业名称登记管理规定）
中国
中华
全国
国家
国际
中央
国务院
央企
# 党政军机关、群团及国际组织名称
党
军
警
公安
人民
政府
法院
检察
银监
证监
保监
联合国
红十字
奥林匹克
奥运
# 违背公序良俗
赌
博彩
毒
色情
淫秽
迷信
邪教
传销
黑社会
恐怖
纳粹
台独
# 夸大、误导
最
第一
顶级
特供
专供
驰名
""".strip()


# -- people ----------------------------------------------------------------------------------
SURNAMES = ("陈" * 14 + "林" * 7 + "梁" * 7 + "黄" * 7 + "李" * 6 + "关" * 4 + "冯" * 4 + "谭" * 4 + "许" * 3
            + "莫" * 3 + "刘" * 4 + "张" * 4 + "吴" * 3 + "杨" * 3 + "何" * 3 + "邓" * 3 + "曾" * 2 + "叶" * 2
            + "周" * 2 + "王" * 3 + "郑" * 2 + "谢" * 2 + "蔡" * 2 + "钟" * 2 + "余" * 2 + "温" + "姚" + "麦" * 2
            + "敖" + "冼" + "岑" + "卢" * 2 + "罗" * 2 + "苏" + "朱" + "邱" + "严" + "植")
MALE = "伟明国志华建文杰家俊浩宇永德荣锦辉嘉海成东健庆振雄坚汉松耀基达良泽宏斌贤"
FEMALE = "秀英丽娟芳燕玲婷静敏慧红霞美玉凤兰雪梅妙珍翠彩碧琴嘉欣颖晓倩雯诗"
MALE_ONE, FEMALE_ONE = "伟强杰斌军勇涛鹏辉健坚锋", "芳燕玲婷静敏慧霞丽娟梅萍"
BIRTH_DIVISIONS = ["441702"] * 8 + ["441723"] * 4 + ["441721"] * 3 + ["441781"] * 4 + [
    "440106", "440305", "440604", "440785", "440902", "440981", "440882", "445381"]


def person_name(rng: random.Random, male: bool) -> str:
    pool = MALE if male else FEMALE
    given = rng.choice(pool) + rng.choice(pool) if rng.random() < 0.8 else rng.choice(MALE_ONE if male else FEMALE_ONE)
    while len(given) == 2 and given[0] == given[1] and given not in ("婷婷", "敏敏", "丽丽"):
        given = rng.choice(pool) + rng.choice(pool)
    return rng.choice(SURNAMES) + given


class People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used = {BUSY_ID, DISHONEST_ID, HUAXIN_REP_ID} | RESERVED_IDS

    def new(self) -> tuple[str, str]:
        while True:
            birth = date(1958, 1, 1) + timedelta(days=self.rng.randrange(0, 365 * 42))
            seq = self.rng.randrange(0, 1000)
            pid = make_id(self.rng.choice(BIRTH_DIVISIONS), birth, seq)
            if pid not in self.used:
                self.used.add(pid)
                return pid, person_name(self.rng, male=seq % 2 == 1)


# -- entities --------------------------------------------------------------------------------
TRADE_NAMES = ["华信", "海陵", "漠阳", "南鹏", "金辉", "鸿达", "阳光", "十八子", "闸坡", "北津", "凌霄", "月亮湾",
               "马尾岛", "鸳鸯湖", "东平", "沙扒", "溪头", "蓝袍", "春湾", "合山", "雅韶", "那龙", "金宇", "永泰",
               "富华", "银海", "恒福", "嘉利", "广利", "利民", "宏图", "锦程", "德润", "正和", "百盛", "万家",
               "千禧", "新纪元", "粤西", "南海", "金港", "海之韵", "蓝海", "海辉", "渔港", "海鲜坊", "刀王",
               "巧妇", "金锋", "利剑", "锋行", "美厨", "厨艺", "豆豉香", "阳帆", "宝隆", "顺景", "盈丰"]
TRADE_FIRST = "华金鸿宏盛鑫恒泰嘉永大海南漠新明德荣达丰顺安兴利源和昌隆瑞祥宝富广佳联创凯腾锦天建正晟弘港粤汇博思志诚铭骏"
TRADE_SECOND = "信达源盛丰泰兴昌隆发成辉宇通利安和顺祥瑞宝华康美嘉业创鸿鑫汇福德新润海洋峰晖豪科诺翔航"
INDUSTRIES = {  # industry wording: weight
    "科技": 14, "贸易": 12, "商贸": 8, "实业": 6, "五金制品": 6, "刀剪": 4, "厨具": 3, "工贸": 4,
    "水产": 5, "海产品": 3, "水产养殖": 2, "餐饮管理": 5, "酒店管理": 2, "食品": 4, "建筑工程": 6,
    "装饰工程": 4, "电子商务": 6, "网络科技": 5, "信息技术": 4, "文化传媒": 5, "广告": 3, "物流": 4,
    "运输": 3, "房地产开发": 2, "物业管理": 3, "农业发展": 3, "生物科技": 2, "新能源": 2, "电力工程": 2,
    "环保科技": 2, "教育咨询": 2, "企业管理咨询": 3, "人力资源": 1, "汽车服务": 2, "医药": 1, "家具": 2,
    "服饰": 2, "园林绿化": 2, "机械设备": 2, "模具": 1, "塑料制品": 1, "包装": 1, "印刷": 1,
    "供应链管理": 2, "健康管理": 1, "会展服务": 1, "船舶": 1, "茶业": 1, "旅游开发": 1,
}
FORMS = ["有限公司"] * 90 + ["有限责任公司"] * 8 + ["股份有限公司"] * 2
REGIONS = {"阳江市": 70, "阳江市江城区": 10, "阳江市阳东区": 6, "阳春市": 8, "阳西县": 6}
REGION_DIVISIONS = {"阳江市": (["441702"] * 13 + ["441704"] * 5 + ["441781", "441721"]),
                    "阳江市江城区": ["441702"], "阳江市阳东区": ["441704"], "阳春市": ["441781"],
                    "阳西县": ["441721"]}
AVOID_TRADE = {"阳江", "阳春", "阳西", "阳东", "江城", "华信"}  # division names; 华信 only for the fixture
HUAXIN_SOUND = sound("华信")
CLUSTER_INDUSTRIES = ["电子商务", "网络科技", "贸易", "商贸", "文化传媒", "信息技术", "科技", "供应链管理"]


def _uscc_body(rng: random.Random, established: date) -> str:
    if established >= date(2015, 10, 1):
        year_prefix = {2015: "4U", 2016: "4U", 2017: "4W", 2018: "52", 2019: "53", 2020: "55", 2021: "56",
                       2022: "5A", 2023: "5C", 2024: "5E", 2025: "5G"}[established.year]
        return "MA" + year_prefix + "".join(rng.choice(_ALPHABET) for _ in range(4))
    # older companies keep their GB 11714 organisation code; its leading digits follow the era
    eras = ((2003, ["71", "72", "73", "74", "75", "76"]), (2009, ["66", "67", "68", "69", "77", "78", "79"]),
            (2013, ["05", "06", "07", "56", "57", "58"]), (2016, ["08", "09", "30", "31", "32", "33", "34"]))
    head = rng.choice(next(heads for year, heads in eras if established.year < year))
    return head + "".join(str(rng.randrange(10)) for _ in range(6))


def make_entities(rng: random.Random, addresses: list[dict[str, str]], prohibited: list[str],
                  people: People) -> tuple[list[dict[str, str]], dict[str, str]]:
    names: dict[str, str] = {BUSY_ID: "赵多企", HUAXIN_REP_ID: "陈国强"}
    usable = [a for a in addresses if a["negative"] == "0" and a["code"] not in ADDRESS_CROWDED
              and a["code"] != ADDRESS_OK]  # the free fixture address stays empty
    by_division: dict[str, list[dict[str, str]]] = {}
    for a in usable:
        by_division.setdefault(a["division"], []).append(a)
    load: Counter[str] = Counter()
    taken: set[tuple[str, str, str]] = set()
    usccs: set[str] = set()
    trade_pool: list[str] = []
    rows: list[dict[str, str]] = []
    rep_count: Counter[str] = Counter()
    industries, weights = list(INDUSTRIES), list(INDUSTRIES.values())

    def clean(text: str) -> bool:
        return not any(w in text for w in prohibited)

    def fresh_trade() -> str:
        while True:
            if rng.random() < 0.12:
                t = rng.choice(TRADE_NAMES)
            else:
                t = rng.choice(TRADE_FIRST) + rng.choice(TRADE_SECOND)
                if rng.random() < 0.06:
                    t += rng.choice(["达", "源", "行", "坊", "阁"])
            if t[0] != t[1] and t not in AVOID_TRADE and sound(t) != HUAXIN_SOUND and clean(t):
                return t

    def address_for(region: str) -> str:
        for _ in range(1000):
            a = rng.choice(by_division[rng.choice(REGION_DIVISIONS[region])])
            if load[a["code"]] < 3:
                load[a["code"]] += 1
                return a["code"]
        raise RuntimeError("addresses exhausted")

    def add(region: str, trade: str, industry: str, rep: str, address: str, form: str | None = None) -> bool:
        name = f"{region}{trade}{industry}{form or rng.choice(FORMS)}"
        if (region, trade, industry) in taken or not clean(name):
            return False
        established = date(2001, 1, 1) + timedelta(days=rng.randrange(0, (date(2025, 12, 31) - date(2001, 1, 1)).days))
        division = address[:6] if rng.random() < 0.6 else (
            "441700" if region.startswith("阳江市") else REGION_DIVISIONS[region][0])
        while True:
            code = _uscc(division, _uscc_body(rng, established))
            if code not in usccs:
                break
        usccs.add(code)
        taken.add((region, trade, industry))
        rep_count[rep] += 1
        rows.append({"uscc": code, "name": name, "region": region, "trade_name": trade, "industry": industry,
                     "legal_rep_id": rep, "address_code": address, "form": name[len(region + trade + industry):],
                     "established": established.isoformat(), "legal_rep_name": names[rep]})
        return True

    # fixtures
    add("阳江市", "华信", "科技", HUAXIN_REP_ID, "441704000001", "有限公司")
    busy_industries = ["贸易", "实业", "餐饮管理", "建筑工程", "文化传媒"]
    for industry in busy_industries:
        while not add("阳江市", fresh_trade(), industry, BUSY_ID, address_for("阳江市")):
            pass
    for code, n in ADDRESS_CROWDED.items():
        region = {"441702": "阳江市", "441704": "阳江市", "441781": "阳春市"}[code[:6]]
        made = 0
        while made < n:
            rep, name = people.new()
            names[rep] = name
            if add(region, fresh_trade(), rng.choice(CLUSTER_INDUSTRIES), rep, code):
                made += 1
                load[code] += 1
    # everybody else: most people hold one entity, some two to four (never the threshold)
    reps: list[str] = []
    while len(rows) < ENTITY_COUNT:
        if reps and rng.random() < 0.12:
            rep = rng.choice(reps)
            if rep_count[rep] >= MANY_ENTITIES - 1:
                continue
        else:
            rep, names_new = people.new()
            names[rep] = names_new
            reps.append(rep)
        region = rng.choices(list(REGIONS), weights=list(REGIONS.values()))[0]
        trade = rng.choice(trade_pool) if trade_pool and rng.random() < 0.15 else fresh_trade()
        industry = rng.choices(industries, weights=weights)[0]
        if add(region, trade, industry, rep, address_for(region)):
            trade_pool.append(trade)
        elif rep_count[rep] == 0:
            reps.remove(rep)
    return rows, names


# -- writing -------------------------------------------------------------------------------
def write_csv(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})


def main(out: Path = HERE) -> None:
    rng = random.Random(SEED)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "divisions.csv", [{"code": c, "name": n, "parent": p} for c, n, p in DIVISIONS],
              ["code", "name", "parent"])
    addresses = make_addresses(rng)
    write_csv(out / "addresses.csv", addresses,
              ["code", "division", "text", "negative", "street", "building", "unit", "note"])
    write_csv(out / "scopes.csv", make_scopes(), ["code", "text", "permit", "category", "keywords"])
    (out / "prohibited_words.txt").write_text(PROHIBITED_WORDS + "\n", encoding="utf-8")
    prohibited = [w for w in PROHIBITED_WORDS.splitlines() if w and not w.startswith("#")]
    people = People(rng)
    entities, _names = make_entities(rng, addresses, prohibited, people)
    write_csv(out / "entities.csv", entities,
              ["uscc", "name", "region", "trade_name", "industry", "legal_rep_id", "address_code", "form",
               "established", "legal_rep_name"])
    reps = {e["legal_rep_id"] for e in entities}
    dishonest = [{"id_number": DISHONEST_ID, "name": "王失信"}]
    while len(dishonest) < DISHONEST_COUNT:
        pid, name = people.new()
        if pid not in reps:
            dishonest.append({"id_number": pid, "name": name})
    write_csv(out / "dishonest.csv", dishonest, ["id_number", "name"])
    print(f"{out}: {len(addresses)} addresses, {len(entities)} entities, {len(dishonest)} dishonest")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
