"""Common words of enterprise names, for the pinyin engine's quality test and benchmark: (pinyin, word)."""

WORDS = [
    ("youxiangongsi", "有限公司"), ("gongsi", "公司"), ("keji", "科技"), ("maoyi", "贸易"), ("shangmao", "商贸"),
    ("canyin", "餐饮"), ("wenhuachuanmei", "文化传媒"), ("xinxijishu", "信息技术"), ("wangluokeji", "网络科技"),
    ("dianzishangwu", "电子商务"), ("wuliu", "物流"), ("jianzhugongcheng", "建筑工程"), ("nongye", "农业"),
    ("shipin", "食品"), ("fuzhuang", "服装"), ("zixun", "咨询"), ("guanli", "管理"), ("fazhan", "发展"),
    ("shiye", "实业"), ("touzi", "投资"), ("jiaoyu", "教育"), ("jiankang", "健康"), ("yiliao", "医疗"),
    ("yangjiang", "阳江"), ("jiangcheng", "江城"), ("beijing", "北京"), ("shenzhen", "深圳"),
    ("guangzhou", "广州"), ("zhongguo", "中国"), ("huanan", "华南"), ("haiyang", "海洋"), ("shuichan", "水产"),
    ("wujin", "五金"), ("dianqi", "电器"), ("jixie", "机械"), ("qiche", "汽车"), ("fangdichan", "房地产"),
    ("lvyou", "旅游"), ("meirong", "美容"), ("jiudian", "酒店"), ("chaye", "茶叶"), ("gongyi", "工艺"),
]
