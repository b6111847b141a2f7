"""cyclegan: translate a texture between two material states (clean ↔ rusted, ...).

Two small ResNet generators (A → B and B → A) and two patch discriminators, trained on
unpaired random crops of two image sets with least-squares GAN, cycle-consistency and
identity losses [Zhu et al. 2017], every convolution padding circularly so a tiling input
gives a tiling output. ``config.py`` holds the sizes and training settings (plain Python),
``model.py`` the networks and ``translate`` (any size), ``data.py`` the two sets (image
files or preset renders), ``train.py`` the training loop (``texgen train cyclegan``),
``metrics.py`` the translation report. The ``neural.translate`` node lives in
``texgen_neural.nodes``; docs/neural.md documents the model.

Plain Python here and in ``config.py``; the other modules import torch.
"""
