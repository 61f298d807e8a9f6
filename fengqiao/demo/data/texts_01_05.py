"""Appeal texts for categories 01–05: property, city appearance, illegal building, traffic, safety.

Format (see `vocabulary.parse_texts`): `[code] weight` opens a subcategory, the weight being how
often residents raise it; each following line is `case type | template`, and `+urgent` after
the case type marks an emergency that is usually flagged urgent.
"""

from __future__ import annotations

from .vocabulary import parse_texts

TEXTS = parse_texts(
    """
[01.01] 6
complaint | {estate}{building}的电梯{days}里坏了好几次，每次报修物业都说在等配件，家里老人住{floor}楼，只能一层层爬楼梯，太不方便了，请尽快修好。
help+urgent | {time}{estate}{building}的电梯突然停在两层中间，里面困了一个老人和一个小孩，按了警铃没人应，物业电话也打不通，请赶紧派人来！
complaint | {estate}{building}电梯运行的时候一直咣当咣当响，门也关不严，检验合格证都过期了还贴着，物业说维保单位下周才来，住户都不敢坐。
suggestion | {estate}的电梯用了十几年，三天两头出故障，听说可以用维修资金更换，建议物业尽快组织业主表决，先把{building}的电梯换掉。
report | {estate}{building}电梯里的维保记录连续两个月都是空白，维保公司根本没来保养过，物业还照样收电梯费，请相关部门查一下。

[01.02] 6
complaint | {estate}{building}楼道{days}没人打扫了，楼梯上都是灰和外卖盒子，保洁说人手不够，物业费一分不少收，服务却越来越差。
complaint | {estate}{building}单元门的门禁坏了{days}，外来人员随便进出，保安亭经常没人，晚上回家心里发毛，物业到底管不管？
complaint | 家里卫生间水管漏水，{time}打物业报修电话，说好当天上门，结果拖了{days}都没人来，再打电话过去客服态度还很差。
praise | 感谢{estate}物业的维修师傅，{time}我家{building}{room}室跳闸停电，师傅冒雨过来帮忙检查线路，很快就恢复了，特此表扬。
suggestion | 建议{estate}物业在{place}一带多安排几个保洁班次，夏天垃圾桶旁边味道很大，苍蝇也多，每天收两次会好很多。

[01.03] 3
consult | 请问{estate}的维修资金现在还剩多少？我们{building}的外墙渗水要维修，物业说要动用维修资金，具体怎么申请、要多少业主签字？
complaint | {estate}物业今年突然把物业费从每平方1.2元涨到1.8元，没开业主大会也没有公示，直接贴个通知就开始收，我们不认可。
complaint | 物业把{estate}的停车费和物业费捆在一起收，不交停车费就不给开物业费发票，这样合理吗？
report | {estate}物业用公共收益的钱装修自己的办公室，电梯广告、场地租金这些收益从来没有公示过，请街道物业办查一查账。

[01.04] 5
complaint | {estate}{place}的路灯坏了{days}，晚上黑乎乎一片，老人出来散步差点摔倒，报给物业一直没人修。
help | {estate}{building}单元门的闭门器坏了，门一直关不上，风一吹咣咣响，晚上吵得睡不着，麻烦物业来换一个。
complaint | {estate}{place}的健身器材有一个扶手断了，露着铁茬，小孩在那玩很危险，希望尽快修理或者先围起来。
complaint | {estate}{building}楼顶的防水层老化，{time}下大雨，顶楼好几户家里都漏水了，物业说是公共部位要走维修资金，一直拖着。
help | {estate}{building}楼道的声控灯坏了一半，{floor}楼往上都是黑的，晚上上下楼只能开手机电筒，请尽快维修。

[01.05] 2
consult | 我们{estate}想成立业主委员会，请问要怎么申请？需要多少业主同意，街道会派人指导吗？
complaint | {estate}业委会换届拖了大半年都没选，现在几个委员自己说了算，和物业续签合同也不征求业主意见。
report | {estate}业委会主任私自和新物业公司签了五年合同，大部分业主都不知道，请街道查一下程序是否合法。
suggestion | 建议{estate}物管会每季度公示一次会议纪要和收支情况，现在业主什么都不知道，群里议论很多。

[02.01] 4
complaint | {estate}{building}旁边的垃圾分类亭{days}没清运了，垃圾堆得满地都是，天一热臭得不行，楼上住户窗户都不敢开。
complaint | {road}边上的垃圾桶每天早上五点多就开始收，垃圾车声音特别大，桶砸得咣咣响，能不能晚一点或者轻一点？
consult | 请问旧沙发、旧床垫这种大件垃圾和装修垃圾应该扔在哪里？{estate}里没看到专门的堆放点，要自己联系清运吗？
suggestion | {estate}垃圾分类定时定点投放，早晚各只有两个小时，上班族根本赶不上，建议延长投放时间或者设一个误时投放点。

[02.02] 4
complaint | {road}靠近{estate}门口每天傍晚都有一排流动摊贩卖水果、烤串，占了大半个人行道，垃圾扔一地，行人只能走机动车道。
complaint | {road}上的{shop}把桌椅摆到人行道上经营，晚上喝酒划拳到一两点，路都堵了。
report | {estate}{place}旁边有人长期堆放废品，纸箱、旧家电堆得有一人高，还招老鼠，存在火灾隐患。
complaint | {road}沿街几家建材店把瓷砖、水泥袋堆在人行道上，推婴儿车、坐轮椅的根本过不去。

[02.03] 3
complaint | {road}人行道边上的行道树{days}没修剪了，树枝都伸到{estate}{building}的窗户上，刮风的时候打得玻璃响。
help+urgent | {time}大风把{road}边上一棵大树刮歪了，斜靠在路灯杆上，随时可能倒下来，下面就是公交站，请尽快处理。
complaint | {road}绿化带里的灌木枯死了一大片，{days}没人补种，光秃秃的还堆着垃圾。
suggestion | 建议在{road}靠近{estate}这一段的绿化带里补种一些树，夏天太晒了，老人孩子走路没有一点阴凉。

[02.04] 2
complaint | {road}上的公厕{days}没人打扫，地上全是水，洗手池的水龙头也坏了，臭味飘到路上。
complaint | {road}靠近{estate}的路段全是泥浆，是渣土车撒漏的，下雨天一踩一脚泥，环卫也没来冲洗。
consult | 请问{road}附近有没有公共厕所？晚上出来跑步散步的人很多，附近一个公厕都找不到。
suggestion | 建议{road}的公厕开放时间延长到晚上十点以后，现在八点就锁门了，附近夜市的人很不方便。

[03.01] 3
report | {estate}{building}一楼住户把院子用彩钢瓦封起来搭了个阳光房，还往外扩了两米多，占了公共绿地。
report | {estate}{building}顶楼住户在楼顶平台上搭了个棚子，又养鸽子又种菜，楼顶防水都被破坏了，下面几户漏水。
complaint | {estate}{place}有人用铁皮围了一块地当自家的仓库，物业说管不了，希望城管来拆除。
consult | 我家住{estate}{building}一楼，想在自家院子里搭一个可拆卸的雨棚，请问需要办什么手续，算不算违建？

[03.02] 2
report | {estate}{building}{room}室正在装修，听工人说要砸掉客厅和卧室之间的承重墙，楼上楼下都很担心，请赶紧来人看看。
complaint | {estate}{building}有一户装修{days}了，每天早上七点不到就开始电钻，中午也不停，物业规定的装修时间根本不管用。
report | {estate}{building}有户人家装修把阳台外墙打掉改成落地窗，还把空调外机挪进了公共管井里。
consult | 我在{estate}买的二手房，想把厨房和客厅打通，请问哪些墙可以拆，需要到哪里备案？

[04.01] 5
complaint | {estate}的消防通道每天晚上都停满了车，{time}有老人突发疾病，救护车被堵在外面进不来，太危险了。
complaint | {road}靠近{estate}门口的路段，两边都是违停的车，早晚高峰堵得一塌糊涂，公交车都过不去。
report | 有一辆白色面包车在{estate}{building}楼下停了{days}了，挡住了单元门口的无障碍坡道，轮椅推不出去。
help | 我的车被人堵在{estate}{place}了，挪车电话打不通，我还要赶去医院，能不能帮忙联系一下车主？

[04.02] 5
complaint | {estate}车位严重不足，晚上回来根本找不到地方停，物业还把地面车位租给外来车辆，业主反而没车位。
suggestion | 建议把{estate}{place}那块闲置空地改成临时停车场，按月收点费也行，总比大家停在消防通道上强。
complaint | {estate}地下车位只卖不租，一个车位要二十多万，物业又不让地面停车，业主意见很大。
consult | 请问{estate}的充电桩怎么申请安装？我买了新能源车，物业说车位是租的不能装。
complaint | {estate}停车费从每月150涨到了300，没有任何公示也没有征求业主意见，这合理吗？

[04.03] 3
complaint | {estate}{building}楼下电动车乱停，把单元门口和盲道都堵死了，非机动车棚又太小，根本停不下。
suggestion | 建议在{estate}{place}附近增设一个非机动车棚和充电桩，现在很多人把电动车推进楼道里充电，太危险了。
complaint | {estate}非机动车棚里的充电桩坏了{days}了，一大半不能用，物业说厂家不来修。
complaint | {estate}门口的共享单车堆成山，把小区出入口都挡住了，能不能让单车公司来清一清？

[04.04] 2
complaint | {road}和{road2}路口的红绿灯{days}都是黄灯闪烁，早高峰车和人抢道，太危险了。
suggestion | {road}靠近学校那一段没有斑马线，孩子上下学都是横穿马路，建议加一条人行横道和减速带。
complaint | {road}上的交通标志牌被树挡住了，外地车经常开错道，{time}还差点撞上。
suggestion | 建议在{estate}出口的{road}上装一面凸面反光镜，出口是个弯道，看不到来车，已经剐蹭好几回了。

[05.01] 3
complaint | {estate}{building}经常有人从楼上往下扔垃圾袋、烟头，我家一楼院子里隔三差五就有，跟物业说了好几次装个高空摄像头，到现在也没装。
help+urgent | {time}{estate}{building}楼上掉下来一个花盆，差点砸到楼下玩的小孩，请派出所来调查一下是哪家扔的。
report | {estate}{building}高层有人往下泼水、扔果皮，停在楼下的车被砸了好几次，车主都不敢停了。
suggestion | 建议{estate}在每栋楼下都装上高空抛物监控摄像头，光贴告示没有用。

[05.02] 3
report | {time}{estate}{place}有好几辆电动车的电瓶被偷了，监控显示是半夜两个人骑着三轮车来的，请派出所查一下。
help | {estate}{building}{room}室家里被盗了，门锁被撬，丢了现金和首饰，已经报了警，想问一下有没有进展。
complaint | {road}靠近{estate}的地下通道晚上有人聚集喝酒打架，路过的居民都很害怕，希望加强巡逻。
report | {estate}{building}有一套房子经常有陌生人半夜进出，一住就是十几个人，怀疑是群租或者搞传销。

[05.03] 3
report | {estate}{building}楼道里有好几户把电动车推上楼充电，电线从窗户里拉出来，一旦着火整栋楼都跑不掉。
help+urgent | {time}{estate}{building}{floor}楼楼道里冒烟，像是电线烧焦的味道，物业电话打不通，请赶快派人来看看！
complaint | {estate}{building}的消防栓里没有水带，灭火器也都过期了，楼梯间的防火门还被锁上了。
report | {road}上的{shop}在店里堆了很多液化气罐，后门还被杂物堵死了，存在很大的安全隐患。

[05.04] 2
help | 我母亲{time}接到一个自称公检法的电话，说她涉嫌洗钱，让她把钱转到安全账户，已经转了两万块，请帮忙追回。
consult | {time}收到一条短信说我的医保卡被冻结了，要点链接解冻，请问这是不是诈骗？
suggestion | {estate}的老人很多，最近好几家接到冒充客服的诈骗电话，建议社区和派出所来小区开一次防骗宣传讲座。
report | {estate}{place}有人摆摊送鸡蛋，拉老人进群买保健品，说能治百病，好几个老人已经花了几千块。
"""
)
