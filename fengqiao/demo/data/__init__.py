"""Static data for the demo city: the unit tree, the personas and the appeal texts.

Everything here is plain Python data; `fengqiao.demo.builder` turns it into rows.
"""
