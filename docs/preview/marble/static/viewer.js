// texgen preview: a lit view of the material on a plane or a sphere, in plain WebGL
// (a WebGL 2 context when there is one, else WebGL 1; the shaders are GLSL ES 1.00, which
// both run).
//
// Maps by role: basecolor (sRGB), normal (tangent space, OpenGL convention: green is +V),
// height (parallax offset), roughness, metallic, ao, or an orm pack (R occlusion,
// G roughness, B metallic) for those it lacks. A missing map is a neutral 1x1 texture.
// Shading: GGX specular with Smith-Schlick visibility and Schlick Fresnel, Lambert diffuse,
// one directional light (dragged around the object) and a dim ambient term scaled by AO,
// Reinhard tone mapping. Textures repeat by fract() on clamped, unmipmapped textures, so
// any size works in WebGL 1.
"use strict";

window.TexgenViewer = (function () {
  const VERTEX = `
    attribute vec3 aPosition;
    attribute vec3 aNormal;
    attribute vec3 aTangent;
    attribute vec2 aUV;
    uniform mat4 uModel;
    uniform mat4 uViewProjection;
    varying vec3 vPosition;
    varying vec3 vNormal;
    varying vec3 vTangent;
    varying vec2 vUV;
    void main() {
      vec4 world = uModel * vec4(aPosition, 1.0);
      vPosition = world.xyz;
      vNormal = mat3(uModel) * aNormal;
      vTangent = mat3(uModel) * aTangent;
      vUV = aUV;
      gl_Position = uViewProjection * world;
    }`;

  const FRAGMENT = `
    precision highp float;
    uniform sampler2D uBase, uNormal, uHeight, uRoughness, uMetallic, uOcclusion;
    uniform vec4 uRoughnessMask, uMetallicMask, uOcclusionMask;  // which channel to read
    uniform vec3 uLight;
    uniform vec3 uCamera;
    uniform float uRepeat;
    uniform float uParallax;
    varying vec3 vPosition;
    varying vec3 vNormal;
    varying vec3 vTangent;
    varying vec2 vUV;
    const float PI = 3.14159265;
    void main() {
      vec3 n0 = normalize(vNormal);
      vec3 t = normalize(vTangent - n0 * dot(n0, vTangent));
      vec3 b = cross(n0, t);
      vec3 v = normalize(uCamera - vPosition);
      vec2 uv = vUV * uRepeat;
      vec3 vt = vec3(dot(v, t), dot(v, b), dot(v, n0));
      float height = texture2D(uHeight, fract(uv)).r;
      uv = fract(uv + vt.xy / max(vt.z, 0.25) * (height - 0.5) * uParallax);
      vec3 base = pow(texture2D(uBase, uv).rgb, vec3(2.2));
      vec3 tn = texture2D(uNormal, uv).xyz * 2.0 - 1.0;
      vec3 n = normalize(t * tn.x + b * tn.y + n0 * tn.z);
      float roughness = clamp(dot(texture2D(uRoughness, uv), uRoughnessMask), 0.04, 1.0);
      float metallic = dot(texture2D(uMetallic, uv), uMetallicMask);
      float occlusion = dot(texture2D(uOcclusion, uv), uOcclusionMask);
      vec3 l = normalize(uLight);
      vec3 h = normalize(l + v);
      float nl = max(dot(n, l), 0.0);
      float nv = max(dot(n, v), 1e-3);
      float nh = max(dot(n, h), 0.0);
      float a2 = pow(roughness, 4.0);
      float d = nh * nh * (a2 - 1.0) + 1.0;
      float distribution = a2 / (PI * d * d);
      float k = (roughness + 1.0) * (roughness + 1.0) / 8.0;
      float visibility = 1.0 / ((nl * (1.0 - k) + k) * (nv * (1.0 - k) + k) * 4.0);
      vec3 f0 = mix(vec3(0.04), base, metallic);
      vec3 fresnel = f0 + (1.0 - f0) * pow(1.0 - max(dot(v, h), 0.0), 5.0);
      vec3 diffuse = (1.0 - fresnel) * (1.0 - metallic) * base / PI;
      vec3 lit = (diffuse + distribution * visibility * fresnel) * nl * 3.0;
      vec3 ambient = (base * (1.0 - metallic) + f0) * 0.12 * occlusion;
      vec3 color = lit + ambient;
      gl_FragColor = vec4(pow(color / (1.0 + color), vec3(1.0 / 2.2)), 1.0);
    }`;

  // Neutral values for missing maps, as RGBA bytes.
  const NEUTRAL = {basecolor: [180, 180, 180, 255], normal: [128, 128, 255, 255],
                   height: [128, 128, 128, 255], roughness: [128, 128, 128, 255],
                   metallic: [0, 0, 0, 255], ao: [255, 255, 255, 255]};
  const UNITS = ["basecolor", "normal", "height", "roughness", "metallic", "ao"];
  const SAMPLERS = {basecolor: "uBase", normal: "uNormal", height: "uHeight",
                    roughness: "uRoughness", metallic: "uMetallic", ao: "uOcclusion"};
  const ORM_CHANNEL = {ao: 0, roughness: 1, metallic: 2};

  function plane() {
    const p = [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0];
    return {positions: p, normals: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1],
            tangents: [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0], uvs: [0, 0, 1, 0, 1, 1, 0, 1],
            indices: [0, 1, 2, 0, 2, 3]};
  }

  // A UV sphere of radius 1: u around (tangent along it), v from the bottom pole up.
  function sphere(columns, rows) {
    const mesh = {positions: [], normals: [], tangents: [], uvs: [], indices: []};
    for (let j = 0; j <= rows; j++) {
      const theta = Math.PI * j / rows;
      for (let i = 0; i <= columns; i++) {
        const phi = 2 * Math.PI * i / columns;
        const r = Math.sin(theta);
        const p = [r * Math.sin(phi), -Math.cos(theta), r * Math.cos(phi)];
        mesh.positions.push(...p);
        mesh.normals.push(...p);
        mesh.tangents.push(Math.cos(phi), 0, -Math.sin(phi));
        mesh.uvs.push(i / columns * 2, j / rows);  // twice around: texels stay square
      }
    }
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < columns; i++) {
        const a = j * (columns + 1) + i, b = a + columns + 1;
        mesh.indices.push(a, a + 1, b + 1, a, b + 1, b);
      }
    }
    return mesh;
  }

  function perspective(fovy, aspect, near, far) {
    const f = 1 / Math.tan(fovy / 2), nf = 1 / (near - far);
    return [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1,
            0, 0, 2 * far * near * nf, 0];
  }

  function rotationX(angle) {
    const c = Math.cos(angle), s = Math.sin(angle);
    return [1, 0, 0, 0, 0, c, s, 0, 0, -s, c, 0, 0, 0, 0, 1];
  }

  function translation(x, y, z) {
    return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1];
  }

  function multiply(a, b) {  // column-major 4x4: a * b
    const out = new Array(16).fill(0);
    for (let col = 0; col < 4; col++) {
      for (let row = 0; row < 4; row++) {
        for (let k = 0; k < 4; k++) out[col * 4 + row] += a[k * 4 + row] * b[col * 4 + k];
      }
    }
    return out;
  }

  function compile(gl, type, source) {
    const shader = gl.createShader(type);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
      throw new Error("shader: " + gl.getShaderInfoLog(shader));
    }
    return shader;
  }

  function create(canvas) {
    const options = {antialias: true, preserveDrawingBuffer: true};
    const gl = canvas.getContext("webgl2", options) || canvas.getContext("webgl", options);
    if (!gl) {
      canvas.replaceWith(Object.assign(document.createElement("p"),
        {className: "hint", textContent: "This browser has no WebGL: no 3D view."}));
      const nothing = () => {};
      return {setMaps: nothing, setShape: nothing, setRepeat: nothing, setParallax: nothing};
    }
    const program = gl.createProgram();
    gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
      throw new Error("shader program: " + gl.getProgramInfoLog(program));
    }
    gl.useProgram(program);
    const uniform = (name) => gl.getUniformLocation(program, name);

    const meshes = {plane: upload(plane()), sphere: upload(sphere(64, 32))};
    function upload(mesh) {
      const buffers = {};
      for (const [name, data, size] of [["aPosition", mesh.positions, 3],
                                        ["aNormal", mesh.normals, 3],
                                        ["aTangent", mesh.tangents, 3], ["aUV", mesh.uvs, 2]]) {
        const buffer = gl.createBuffer();
        gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
        gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(data), gl.STATIC_DRAW);
        buffers[name] = {buffer, size, location: gl.getAttribLocation(program, name)};
      }
      const indices = gl.createBuffer();
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, indices);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, new Uint16Array(mesh.indices), gl.STATIC_DRAW);
      return {buffers, indices, count: mesh.indices.length};
    }

    function texture(pixels) {
      const handle = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, handle);
      for (const [key, value] of [[gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE],
                                  [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE],
                                  [gl.TEXTURE_MIN_FILTER, gl.LINEAR],
                                  [gl.TEXTURE_MAG_FILTER, gl.LINEAR]]) {
        gl.texParameteri(gl.TEXTURE_2D, key, value);
      }
      gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, true);  // image top row at v = 1
      if (pixels instanceof Uint8Array) {
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 1, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
      } else {
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
      }
      return handle;
    }

    const neutral = {};
    for (const role of UNITS) neutral[role] = texture(new Uint8Array(NEUTRAL[role]));
    const loaded = {};     // url -> texture, for the maps in use
    let maps = {};         // role -> url
    let shape = "plane", repeat = 1, parallax = true;
    let azimuth = 0.8, elevation = 0.7;  // the light, radians
    let frame = 0;

    function redraw() {
      if (!frame) frame = requestAnimationFrame(draw);
    }

    // The texture and channel mask a role samples: its own map, else the orm pack's
    // channel, else neutral.
    function source(role) {
      if (maps[role] && loaded[maps[role]]) return [loaded[maps[role]], [1, 0, 0, 0]];
      if (role in ORM_CHANNEL && maps.orm && loaded[maps.orm]) {
        const mask = [0, 0, 0, 0];
        mask[ORM_CHANNEL[role]] = 1;
        return [loaded[maps.orm], mask];
      }
      return [neutral[role], [1, 0, 0, 0]];
    }

    function draw() {
      frame = 0;
      const width = canvas.width, height = canvas.height;
      gl.viewport(0, 0, width, height);
      gl.clearColor(0.11, 0.12, 0.13, 1);
      gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
      gl.enable(gl.DEPTH_TEST);
      const camera = [0, 0, shape === "plane" ? 3.8 : 3.2];
      const model = shape === "plane" ? rotationX(-0.9) : rotationX(0.25);
      const view = translation(-camera[0], -camera[1], -camera[2]);
      const projection = perspective(0.75, width / height, 0.1, 20);
      gl.uniformMatrix4fv(uniform("uModel"), false, model);
      gl.uniformMatrix4fv(uniform("uViewProjection"), false, multiply(projection, view));
      gl.uniform3fv(uniform("uCamera"), camera);
      gl.uniform3fv(uniform("uLight"), [Math.cos(elevation) * Math.sin(azimuth),
                                        Math.sin(elevation),
                                        Math.cos(elevation) * Math.cos(azimuth)]);
      gl.uniform1f(uniform("uRepeat"), repeat);
      gl.uniform1f(uniform("uParallax"), parallax && maps.height ? 0.04 : 0);
      UNITS.forEach((role, unit) => {
        const [handle, mask] = source(role);
        gl.activeTexture(gl.TEXTURE0 + unit);
        gl.bindTexture(gl.TEXTURE_2D, handle);
        gl.uniform1i(uniform(SAMPLERS[role]), unit);
        if (role in ORM_CHANNEL) gl.uniform4fv(uniform(SAMPLERS[role] + "Mask"), mask);
      });
      const mesh = meshes[shape];
      for (const attribute of Object.values(mesh.buffers)) {
        if (attribute.location < 0) continue;
        gl.bindBuffer(gl.ARRAY_BUFFER, attribute.buffer);
        gl.enableVertexAttribArray(attribute.location);
        gl.vertexAttribPointer(attribute.location, attribute.size, gl.FLOAT, false, 0, 0);
      }
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, mesh.indices);
      gl.drawElements(gl.TRIANGLES, mesh.count, gl.UNSIGNED_SHORT, 0);
    }

    // Dragging moves the light around the object.
    let drag = null;
    canvas.addEventListener("pointerdown", (event) => {
      drag = {x: event.clientX, y: event.clientY};
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drag) return;
      azimuth += (event.clientX - drag.x) * 0.01;
      elevation = Math.max(-1.5, Math.min(1.5, elevation - (event.clientY - drag.y) * 0.01));
      drag = {x: event.clientX, y: event.clientY};
      redraw();
    });
    canvas.addEventListener("pointerup", () => { drag = null; });

    return {
      // Maps by role, as image URLs; only new URLs are loaded.
      setMaps(next) {
        maps = Object.assign({}, next);
        const inUse = new Set(Object.values(maps));
        for (const url of Object.keys(loaded)) {
          if (!inUse.has(url)) { gl.deleteTexture(loaded[url]); delete loaded[url]; }
        }
        for (const url of inUse) {
          if (url in loaded) continue;
          loaded[url] = null;
          const image = new Image();
          image.onload = () => {
            if (url in loaded) { loaded[url] = texture(image); redraw(); }
          };
          image.src = url;
        }
        redraw();
      },
      setShape(name) { shape = name; redraw(); },
      setRepeat(count) { repeat = count; redraw(); },
      setParallax(on) { parallax = on; redraw(); },
      // The light as [azimuth, elevation] in radians (for tests and the page).
      light() { return [azimuth, elevation]; },
    };
  }

  return {create};
})();
